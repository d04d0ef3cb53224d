"""The email the local platform "sent": what the AWS emulator's SES accepted, read back as people read
it (`to`, `subject`, `text`, `html`, `at`), for `GET /_local/emails`. Nothing leaves the machine.

moto keeps every accepted message in its SES backends, which are global to the process that runs it
(the platform's own moto runs in a thread of the platform): a raw message whole, a `SendEmail` one
with a single body (the HTML when both were given). They are read there, not from moto's model dump
(`/moto-api/data.json`): that dump reads every attribute of every object moto tracks, S3 objects'
contents included, and fails whole when one of them raises (a multipart upload's part does).
"""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from html import escape
from typing import Any

from moto.ses.models import Message, RawMessage, ses_backends


def sent_emails() -> list[dict[str, Any]]:
    """Every email this process's moto SES accepted (in every account and region), in the order it did."""
    found = []
    for regions in list(ses_backends.values()):
        for backend in list(regions.values()):
            for message in list(backend.sent_messages):
                if isinstance(message, RawMessage):
                    found.append(_raw(vars(message)))
                elif isinstance(message, Message):
                    found.append(_simple(vars(message)))
    return found


def _raw(message: dict[str, Any]) -> dict[str, Any]:
    parsed = email.message_from_string(
        str(message.get("raw_data", "")), _class=EmailMessage, policy=email.policy.default
    )
    text = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    date = parsed.get("Date")
    return {
        "id": message.get("id"),
        "from": str(parsed.get("From", "")),
        "to": [address for _name, address in getaddresses([str(v) for v in parsed.get_all("To", [])])],
        "subject": str(parsed.get("Subject", "")),
        "text": text.get_content() if text is not None else None,
        "html": html.get_content() if html is not None else None,
        "at": parsedate_to_datetime(str(date)).isoformat() if date else None,
    }


def _simple(message: dict[str, Any]) -> dict[str, Any]:
    body = str(message.get("body", ""))
    looks_html = body.lstrip().startswith("<")
    destinations = message.get("destinations") or {}
    return {
        "id": message.get("id"),
        "from": message.get("source"),
        "to": list(destinations.get("ToAddresses", [])),
        "subject": message.get("subject"),
        "text": None if looks_html else body,
        "html": body if looks_html else None,
        "at": None,  # moto keeps no time for it
    }


EMAILS_PATH = "/_local/emails"
EMAILS_PAGE_PATH = "/_local/emails.html"


def emails_page(emails: list[dict[str, Any]]) -> str:
    """A small page of the email sent, newest first: enough to read a job's email or a link in it."""
    rows = []
    for mail in reversed(emails):
        rows.append(
            "<article><h2>{subject}</h2><p><b>To</b> {to} &middot; <b>at</b> {at}</p><pre>{text}</pre>"
            '<details><summary>HTML</summary><iframe sandbox srcdoc="{html}"></iframe></details></article>'.format(
                subject=escape(str(mail.get("subject") or "")),
                to=escape(", ".join(mail.get("to") or [])),
                at=escape(str(mail.get("at") or "?")),
                text=escape(str(mail.get("text") or "")),
                html=escape(str(mail.get("html") or ""), quote=True),
            )
        )
    body = "".join(rows) or "<p>No email sent yet.</p>"
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>Email sent by the local platform</title>'
        "<style>body{font-family:sans-serif;max-width:60em;margin:auto}article{border-bottom:1px solid #ccc}"
        "pre{white-space:pre-wrap}iframe{width:100%;height:20em;border:1px solid #ccc}</style></head>"
        f'<body><h1>Email sent by the local platform</h1><p>As JSON: <a href="{EMAILS_PATH}">{EMAILS_PATH}</a>'
        f"</p>{body}</body></html>"
    )

"""What each kind of message says, in text and in HTML (every value escaped), with links to the platform."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape
from typing import Any

from notifications.domain import Contact, Message, MessageKind, Rendered

PLATFORM = "Federated Imputation Platform"
MAX_TITLE = 255

# A template answers (title, paragraphs, link path) from a message's facts.
type Template = Callable[[dict[str, Any]], tuple[str, list[str], str | None]]


def _job(done: str) -> Template:
    def template(facts: dict[str, Any]) -> tuple[str, list[str], str | None]:
        service = f" on {facts['service_name']}" if facts.get("service_name") else ""
        lines = [f"Your imputation job \u201c{facts['job_name']}\u201d{service} {done}."]
        if facts.get("error"):
            lines.append(f"Reason: {facts['error']}")
        return f"Job \u201c{facts['job_name']}\u201d {done}", lines, f"/jobs/{facts['job_id']}"

    return template


def _file_expiring(facts: dict[str, Any]) -> tuple[str, list[str], str | None]:
    what = "result file" if facts["kind"] == "result" else "file"
    return (
        f"Your {what} \u201c{facts['filename']}\u201d will be deleted soon",
        [
            f"Your {what} \u201c{facts['filename']}\u201d will be deleted on {facts['expires_at']} (UTC).",
            "Download it before then if you want to keep it.",
        ],
        f"/files/{facts['file_id']}",
    )


def _service_health(facts: dict[str, Any]) -> tuple[str, list[str], str | None]:
    down = facts["status"] == "unhealthy"
    state = "is down" if down else "is back up"
    lines = [f"The imputation service {facts['service_name']} ({facts['slug']}) {state} as of {facts['checked_at']}."]
    if down and facts.get("error"):
        lines.append(f"Reason: {facts['error']}")
    return f"Service {facts['service_name']} {state}", lines, f"/services/{facts['service_id']}"


def _when(stamp: str) -> str:
    """An event's time as an admin reads it: to the minute, in UTC."""
    return f"{datetime.fromisoformat(stamp):%Y-%m-%d %H:%M} UTC"


def _service_at_risk(facts: dict[str, Any]) -> tuple[str, list[str], str | None]:
    deactivates = _when(facts["deactivates_at"])
    return (
        f"Service {facts['service_name']} will be deactivated on {deactivates} unless it recovers",
        [
            f"The imputation service {facts['service_name']} ({facts['slug']}) has been unhealthy since "
            f"{_when(facts['unhealthy_since'])}.",
            f"If it is still unhealthy on {deactivates}, it will be deactivated (taken out of use).",
            "Check whether the service is up; if it has moved, correct its URL on its page in the console. "
            "The next health check that passes keeps it active.",
        ],
        f"/services/{facts['service_id']}",
    )


def _service_deactivated(facts: dict[str, Any]) -> tuple[str, list[str], str | None]:
    return (
        f"Service {facts['service_name']} was deactivated",
        [
            f"The imputation service {facts['service_name']} ({facts['slug']}) was deactivated.",
            f"Reason: {facts['reason']}",
        ],
        f"/services/{facts['service_id']}",
    )


def _welcome(_facts: dict[str, Any]) -> tuple[str, list[str], str | None]:
    return (
        f"Welcome to the {PLATFORM}",
        ["Your account is active. Upload genotype files and impute them on the services listed."],
        "/",
    )


TEMPLATES: dict[MessageKind, Template] = {
    MessageKind.JOB_SUBMITTED: _job("was submitted"),
    MessageKind.JOB_COMPLETED: _job("completed"),
    MessageKind.JOB_FAILED: _job("failed"),
    MessageKind.FILE_EXPIRING: _file_expiring,
    MessageKind.SERVICE_HEALTH: _service_health,
    MessageKind.SERVICE_AT_RISK: _service_at_risk,
    MessageKind.SERVICE_DEACTIVATED: _service_deactivated,
    MessageKind.WELCOME: _welcome,
}


def render(message: Message, contact: Contact, web_origin: str) -> Rendered:
    """A message as one recipient reads it: in-app and email alike."""
    title, lines, path = TEMPLATES[message.kind](message.facts)
    # the console's pages are hash routes: every other path on its origin is the API's
    link = f"{web_origin}/#{path}" if path is not None else None
    greeting = f"Hello {contact.name}," if contact.name else "Hello,"
    footer = f"You receive this from the {PLATFORM}; choose what you are told at {web_origin}/#/notifications."
    text_parts = [greeting, "", *lines]
    if link:
        text_parts += ["", f"Open it: {link}"]
    text = "\n".join([*text_parts, "", footer]) + "\n"
    html_parts = [f"<p>{escape(greeting)}</p>", *(f"<p>{escape(line)}</p>" for line in lines)]
    if link:
        html_parts.append(f'<p><a href="{escape(link, quote=True)}">Open it on the platform</a></p>')
    html_parts.append(f"<p><small>{escape(footer)}</small></p>")
    html = f"<!doctype html><html><body>{''.join(html_parts)}</body></html>"
    # a subject is one line, whatever a job or file was named
    subject = " ".join(title.split())[:MAX_TITLE]
    return Rendered(title=subject, text=text, html=html, link=link)

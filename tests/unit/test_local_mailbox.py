"""The local platform's `/_local/emails`: the email its SES accepted, as JSON and as a small page in
which nothing from an email is markup; only GET; a 501 when SES is not the platform's moto."""

from __future__ import annotations

import json
from typing import Any

from local_platform.docs import SwaggerUi
from local_platform.gateway import Gateway
from local_platform.routing import RouteTable

MAIL = {
    "id": "m-1",
    "from": "no-reply@example.org",
    "to": ["alice@example.org"],
    "subject": "Job <x> completed",
    "text": "Hello,\n<script>alert(1)</script>\n",
    "html": '<p>Hi</p><script>alert("x")</script>',
    "at": "2026-12-01T22:00:00+00:00",
}


def gateway(mailbox: Any) -> Gateway:
    def no_function(*_args: Any) -> Any:
        raise AssertionError("no function is called for the platform's own pages")

    return Gateway(RouteTable(()), no_function, dict, SwaggerUi("x"), None, mailbox)


def test_the_email_sent_is_answered_as_json():
    answer = gateway(lambda: [MAIL]).handle("GET", "/_local/emails", [], b"")
    assert answer.status == 200
    assert answer.header("Content-Type") == "application/json"
    assert json.loads(answer.body) == [MAIL]


def test_the_page_shows_each_email_and_escapes_what_it_carries():
    answer = gateway(lambda: [MAIL]).handle("GET", "/_local/emails.html", [], b"")
    assert answer.status == 200
    assert answer.header("Content-Type") == "text/html; charset=utf-8"
    page = answer.body.decode()
    assert "Job &lt;x&gt; completed" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in page  # the HTML part is shown in a sandboxed frame, as an escaped attribute
    assert "alice@example.org" in page
    empty = gateway(lambda: []).handle("GET", "/_local/emails.html", [], b"").body.decode()
    assert "No email sent yet." in empty


def test_only_get_is_answered():
    answer = gateway(lambda: [MAIL]).handle("DELETE", "/_local/emails", [], b"")
    assert answer.status == 405
    assert answer.header("Allow") == "GET"


def test_without_the_platforms_moto_the_route_says_where_to_look():
    answer = gateway(lambda: None).handle("GET", "/_local/emails", [], b"")
    assert answer.status == 501
    assert "/_aws/ses" in json.loads(answer.body)["detail"]


def test_a_mailbox_that_fails_is_a_problem_answer_not_a_dropped_connection():
    def broken() -> Any:
        raise RuntimeError("the emulator could not be read")

    answer = gateway(broken).handle("GET", "/_local/emails", [], b"")
    assert answer.status == 500
    assert answer.header("Content-Type") == "application/problem+json"
    assert "/_local/emails (RuntimeError)" in json.loads(answer.body)["detail"]

"""The notifications domain on the local platform over HTTP: an event put on the bus reaches its
subscriber through the platform's rule and queue, and its owner gets exactly one email, read at
`/_local/emails` (and on its page), and one in-app notification; signing up is welcomed in the app.
A bounce SES publishes to the platform's feedback topic suppresses further email to its address."""

from __future__ import annotations

import functools
import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from fip_core.platform_events import FileExpiring
from infra.domains import DOMAINS
from local_platform.aws import aws_client
from local_platform.platform import LocalPlatform
from notifications.declaration import DECLARATION as NOTIFICATIONS
from tests.support.accounts import Account, sign_up
from tests.support.notifications import bus_event
from tests.support.platform_process import eventually, platform_in_process, queue_is_empty

pytestmark = pytest.mark.e2e

DEADLINE_SECONDS = 60


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPlatform]:
    """The shipped domains on moto (whose SES the platform reads back); events relayed as they commit."""
    state = tmp_path_factory.mktemp("state")
    with platform_in_process(DOMAINS, "moto", state, schedules_enabled=False, event_retry_seconds=0) as running:
        yield running


def _get(platform: LocalPlatform, path: str, account: Account | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {account.access_token}"} if account else {}
    return httpx.get(f"{platform.url}{path}", headers=headers, timeout=30)


def _put_on_the_bus(platform: LocalPlatform, event: FileExpiring) -> None:
    sent = bus_event(event, "files")
    entry = {
        "Source": sent["source"],
        "DetailType": sent["detail-type"],
        "Detail": json.dumps(sent["detail"]),
        "EventBusName": platform.event_bus_name,
    }
    answer = aws_client("events", platform.aws_endpoint).put_events(Entries=[entry])
    assert answer["FailedEntryCount"] == 0, answer


def test_an_event_on_the_bus_is_one_email_at_local_emails_and_one_notification(platform):
    researcher = sign_up(name="Ada <Lovelace>")
    welcomed = eventually(
        lambda: _get(platform, "/notifications", researcher).json()["items"] or None, DEADLINE_SECONDS, "a welcome"
    )
    assert [n["kind"] for n in welcomed] == ["welcome"]
    before = len(_get(platform, "/_local/emails").json())

    expires = datetime.now(UTC) + timedelta(hours=48)
    _put_on_the_bus(
        platform,
        FileExpiring(
            file_id="f-1", user_id=researcher.user_id, filename="chr20.vcf.gz", kind="input", expires_at=expires
        ),
    )

    def mine() -> list[dict[str, Any]] | None:
        emails = _get(platform, "/_local/emails").json()
        found = [mail for mail in emails[before:] if mail["to"] == [researcher.email]]
        return found or None

    [mail] = eventually(mine, DEADLINE_SECONDS, "the email at /_local/emails")
    assert mail["subject"] == "Your file \u201cchr20.vcf.gz\u201d will be deleted soon"
    assert "Hello Ada <Lovelace>," in mail["text"]
    assert "Ada &lt;Lovelace&gt;" in mail["html"]
    assert mail["at"] is not None
    assert set(mail) >= {"to", "subject", "text", "html", "at"}
    page = _get(platform, "/_local/emails.html")
    assert page.status_code == 200
    assert "chr20.vcf.gz" in page.text

    shown = _get(platform, "/notifications", researcher).json()["items"]
    assert [n["kind"] for n in shown] == ["file_expiring", "welcome"]
    assert _get(platform, "/notifications/unread-count", researcher).json() == {"unread": 2}
    assert len([m for m in _get(platform, "/_local/emails").json() if m["to"] == [researcher.email]]) == 1


def _ses_bounce(address: str, sender: str) -> dict[str, Any]:
    """A permanent bounce as SES's configuration set publishes it to SNS (the documented event record:
    https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-examples.html)."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {
        "eventType": "Bounce",
        "bounce": {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [
                {
                    "emailAddress": address,
                    "action": "failed",
                    "status": "5.1.1",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                }
            ],
            "timestamp": now,
            "feedbackId": f"0100{uuid.uuid4().hex}-000000",
            "reportingMTA": "dsn; mta.example.com",
        },
        "mail": {
            "timestamp": now,
            "source": sender,
            "sourceArn": "arn:aws:ses:eu-west-1:123456789012:identity/example.org",
            "sendingAccountId": "123456789012",
            "messageId": f"{uuid.uuid4().hex}-000000",
            "destination": [address],
            "headersTruncated": False,
            "tags": {"ses:configuration-set": ["fip-mail"]},
        },
    }


def _all_delivered(platform: LocalPlatform, function: str) -> bool:
    return all(
        queue_is_empty(platform, function, queue.queue_name) for queue in platform.queues if queue.function == function
    )


def test_a_bounce_ses_publishes_to_the_feedback_topic_suppresses_email_to_that_address(platform):
    bounced, kept = sign_up(name="Bounced"), sign_up(name="Kept")
    topic = platform.resources.topic_arn("notifications", next(s for s in NOTIFICATIONS.resources if s.notified()))
    sender = os.environ["NOTIFICATIONS_MAIL_SENDER"]
    published = aws_client("sns", platform.aws_endpoint).publish(
        TopicArn=topic, Message=json.dumps(_ses_bounce(bounced.email, sender))
    )
    assert published["MessageId"]
    eventually(lambda: _all_delivered(platform, "ses-feedback") or None, DEADLINE_SECONDS, "the bounce applied")

    expires = datetime.now(UTC) + timedelta(hours=48)
    for account in (bounced, kept):
        _put_on_the_bus(
            platform,
            FileExpiring(file_id="f-2", user_id=account.user_id, filename="b.vcf.gz", kind="input", expires_at=expires),
        )

    def told(account: Account) -> bool | None:
        shown = _get(platform, "/notifications", account).json()["items"]
        return any(n["kind"] == "file_expiring" for n in shown) or None

    for account in (bounced, kept):
        eventually(functools.partial(told, account), DEADLINE_SECONDS, "the in-app notification")
    eventually(lambda: _all_delivered(platform, "on-event") or None, DEADLINE_SECONDS, "the events handled")

    recipients = [mail["to"] for mail in _get(platform, "/_local/emails").json()]
    assert [kept.email] in recipients  # the same message went out by email to an address that did not bounce
    assert [bounced.email] not in recipients

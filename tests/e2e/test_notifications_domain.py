"""The notifications domain on the local platform over HTTP: an event put on the bus reaches its
subscriber through the platform's rule and queue, and its owner gets exactly one email, read at
`/_local/emails` (and on its page), and one in-app notification; signing up is welcomed in the app."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from fip_core.platform_events import EventMetadata, FileExpiring, event_detail
from infra.domains import DOMAINS
from local_platform.aws import aws_client
from local_platform.platform import LocalPlatform
from tests.support.accounts import Account, sign_up
from tests.support.platform_process import eventually, platform_in_process

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
    metadata = EventMetadata(
        event_id=str(uuid.uuid4()),
        name=event.name,
        version=event.version,
        domain="files",
        occurred_at=datetime.now(UTC),
    )
    entry = {
        "Source": "fip.files",
        "DetailType": event.name,
        "Detail": json.dumps(event_detail(event, metadata)),
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

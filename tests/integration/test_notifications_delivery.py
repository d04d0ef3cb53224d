"""Events in, email out: the notifications domain in-process on SQLite and PostgreSQL, recipients from
the users domain through its declared `contacts` call (the local Lambda Invoke API), email through
moto's SES and read back from it; each event once, as each recipient prefers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fip_core.platform_events import FileExpiring, ServiceDeactivated, ServiceHealthChanged, UserRegistered
from local_platform.mailbox import sent_emails
from notifications.dal.unit_of_work import notifications_reading
from notifications.domain import DeliveryStatus
from tests.support.api import invoke_api
from tests.support.notifications import ADDRESSES, ADMIN, ALICE, BOB, add_people, bus_event, deliver, inbox

ORIGIN = "https://imputation.example.org"


@pytest.fixture(autouse=True)
def people(notifications_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from notifications.settings import notifications_settings

    monkeypatch.setenv("NOTIFICATIONS_WEB_ORIGIN", ORIGIN)
    notifications_settings.cache_clear()
    add_people()


def expiring(user_id: str = ALICE.user_id, filename: str = "chr20 <final>.vcf.gz") -> FileExpiring:
    return FileExpiring(
        file_id="f-1",
        user_id=user_id,
        filename=filename,
        kind="input",
        expires_at=datetime(2026, 12, 3, 12, tzinfo=UTC),
    )


def health(previous: str, status: str) -> ServiceHealthChanged:
    return ServiceHealthChanged.model_validate(
        {
            "service_id": "s-1",
            "slug": "michigan",
            "service_name": "Michigan",
            "previous_status": previous,
            "status": status,
            "checked_at": datetime(2026, 12, 1, 22, tzinfo=UTC),
            "error": "timeout" if status == "unhealthy" else None,
        }
    )


def test_a_file_expiring_is_emailed_to_its_owner_and_shown_to_them_alone(event_bus):
    outcome = deliver(bus_event(expiring(), "files"))
    assert outcome["outcome"] == "applied"
    assert outcome["dispatch"]["sent"] == 1

    [mail] = sent_emails()
    assert mail["to"] == [ADDRESSES[ALICE.user_id]]
    assert mail["subject"] == "Your file \u201cchr20 <final>.vcf.gz\u201d will be deleted soon"
    assert "Hello Alice <Ada> Lovelace," in mail["text"]
    assert f"Open it: {ORIGIN}/#/files/f-1" in mail["text"]
    assert "2026-12-03T12:00:00Z" in mail["text"]
    # every value is escaped in the HTML part: a name or filename is never markup
    assert "Alice &lt;Ada&gt; Lovelace" in mail["html"]
    assert "chr20 &lt;final&gt;.vcf.gz" in mail["html"]
    assert "<final>" not in mail["html"]
    assert f'href="{ORIGIN}/#/files/f-1"' in mail["html"]

    with notifications_reading() as repo:
        [delivery] = repo.deliveries.to_user(ALICE.user_id)
    assert (delivery.status, delivery.attempts, delivery.provider_id) == (DeliveryStatus.SENT, 1, mail["id"])

    [shown] = inbox(ALICE)
    assert shown["kind"] == "file_expiring"
    assert shown["title"] == mail["subject"]
    assert shown["link"] == f"{ORIGIN}/#/files/f-1"  # the console's page, not the API's route
    assert shown["read_at"] is None
    assert inbox(BOB) == []
    assert inbox(ADMIN) == []


def test_an_event_delivered_twice_is_one_email_and_one_notification(event_bus):
    event = bus_event(expiring(), "files")
    assert deliver(event)["outcome"] == "applied"
    assert deliver(event)["outcome"] == "duplicate"
    assert len(sent_emails()) == 1
    assert len(inbox(ALICE)) == 1


def test_preferences_choose_email_in_app_both_or_nothing(event_bus):
    answer = invoke_api("PUT", "/notifications/preferences", body={"file_expiring": "in_app"}, principal=ALICE)
    assert answer.status == 200, answer.body
    assert answer.body["file_expiring"] == "in_app"
    assert invoke_api("PUT", "/notifications/preferences", body={"file_expiring": "none"}, principal=BOB).status == 200

    deliver(bus_event(expiring(ALICE.user_id), "files"))
    deliver(bus_event(expiring(BOB.user_id), "files"))
    assert sent_emails() == []
    assert len(inbox(ALICE)) == 1
    assert inbox(BOB) == []

    invoke_api("PUT", "/notifications/preferences", body={"file_expiring": "email"}, principal=ALICE)
    deliver(bus_event(expiring(ALICE.user_id, "second.vcf.gz"), "files"))
    assert [m["to"] for m in sent_emails()] == [[ADDRESSES[ALICE.user_id]]]
    assert len(inbox(ALICE)) == 1  # the second only by email


def test_a_welcome_is_in_the_app_only_by_default(event_bus):
    registered = UserRegistered(user_id=BOB.user_id, email=ADDRESSES[BOB.user_id], registered_at=datetime.now(UTC))
    deliver(bus_event(registered, "users"))
    assert sent_emails() == []
    assert [n["kind"] for n in inbox(BOB)] == ["welcome"]


def test_admins_hear_a_service_go_down_come_back_and_be_deactivated(event_bus):
    for previous, status in [("unknown", "healthy"), ("healthy", "unhealthy"), ("unhealthy", "healthy")]:
        deliver(bus_event(health(previous, status), "registry"))
    deactivated = ServiceDeactivated(service_id="s-1", slug="michigan", service_name="Michigan", reason="down 30 days")
    deliver(bus_event(deactivated, "registry"))

    mails = sent_emails()
    assert [m["subject"] for m in mails] == [
        "Service Michigan is down",
        "Service Michigan is back up",
        "Service Michigan was deactivated",
    ]
    assert {tuple(m["to"]) for m in mails} == {(ADDRESSES[ADMIN.user_id],)}
    assert "Reason: timeout" in mails[0]["text"]
    assert "Reason: down 30 days" in mails[2]["text"]
    assert len(inbox(ADMIN)) == 3
    assert inbox(ALICE) == []


def test_an_event_from_a_source_other_than_its_publisher_is_quarantined(event_bus):
    forged = bus_event(expiring(), "files")
    forged["source"] = "fip.registry"
    assert deliver(forged)["outcome"] == "quarantined"
    assert sent_emails() == []
    assert inbox(ALICE) == []

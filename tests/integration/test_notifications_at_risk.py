"""A service at risk of deactivation, events in and email out: one email per active admin through moto's
SES, read back (recipient, subject, body), one in-app notification each, nothing for researchers, and
nothing more for the same event delivered again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fip_core.access import Grant, Principal, Role
from fip_core.platform_events import ServiceAtRisk
from local_platform.mailbox import sent_emails
from tests.support.api import invoke_api
from tests.support.notifications import ADDRESSES, ADMIN, ALICE, BOB, add_people, bus_event, deliver, inbox
from users.dal.unit_of_work import users_repository
from users.domain import NewProfile, UserStatus

ORIGIN = "https://imputation.example.org"
SECOND_ADMIN = Principal(user_id="admin-0004", method="cognito", grants=[Grant(role=Role.ADMIN)])
SECOND_ADDRESS = "ops@example.org"
AT_RISK = ServiceAtRisk(
    service_id="s-9",
    slug="h3africa",
    service_name="H3Africa",
    unhealthy_since=datetime(2026, 11, 5, 6, 0, tzinfo=UTC),
    deactivates_at=datetime(2026, 12, 5, 6, 0, tzinfo=UTC),
)


@pytest.fixture(autouse=True)
def people(notifications_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from notifications.settings import notifications_settings

    monkeypatch.setenv("NOTIFICATIONS_WEB_ORIGIN", ORIGIN)
    notifications_settings.cache_clear()
    add_people()
    with users_repository() as repo:
        now = datetime.now(UTC)
        repo.users.add(SECOND_ADMIN.user_id, SECOND_ADDRESS, NewProfile(name="Ops"), UserStatus.ACTIVE, now)
        repo.grants.add(SECOND_ADMIN.user_id, Role.ADMIN, None, None, None, now)


def test_every_admin_is_emailed_once_which_service_is_at_risk_and_what_to_do(event_bus):
    event = bus_event(AT_RISK, "registry")
    outcome = deliver(event)
    assert outcome["outcome"] == "applied"
    assert outcome["dispatch"]["sent"] == 2

    mails = sent_emails()
    assert sorted(address for mail in mails for address in mail["to"]) == sorted(
        [ADDRESSES[ADMIN.user_id], SECOND_ADDRESS]
    )
    subject = "Service H3Africa will be deactivated on 2026-12-05 06:00 UTC unless it recovers"
    for mail in mails:
        assert mail["subject"] == subject
        assert (
            "The imputation service H3Africa (h3africa) has been unhealthy since 2026-11-05 06:00 UTC."
            in (mail["text"])
        )
        assert "correct its URL on its page in the console" in mail["text"]
        assert f"Open it: {ORIGIN}/#/services/s-9" in mail["text"]
        assert f'href="{ORIGIN}/#/services/s-9"' in mail["html"]
        assert "If it is still unhealthy on 2026-12-05 06:00 UTC" in mail["html"]
    assert "Hello Root," in next(m["text"] for m in mails if m["to"] == [ADDRESSES[ADMIN.user_id]])
    assert "Hello Ops," in next(m["text"] for m in mails if m["to"] == [SECOND_ADDRESS])

    for admin in (ADMIN, SECOND_ADMIN):
        [shown] = inbox(admin)
        link = f"{ORIGIN}/#/services/s-9"
        assert (shown["kind"], shown["title"], shown["link"]) == ("service_at_risk", subject, link)
    assert inbox(ALICE) == []
    assert inbox(BOB) == []

    # the same event again (a retry, a second delivery) sends and shows nothing more
    assert deliver(event)["outcome"] == "duplicate"
    assert len(sent_emails()) == 2
    assert len(inbox(ADMIN)) == 1


def test_an_admin_who_chose_the_app_only_is_not_emailed(event_bus):
    answer = invoke_api("PUT", "/notifications/preferences", body={"service_at_risk": "in_app"}, principal=ADMIN)
    assert answer.status == 200, answer.body
    assert answer.body["service_at_risk"] == "in_app"

    deliver(bus_event(AT_RISK, "registry"))

    assert [mail["to"] for mail in sent_emails()] == [[SECOND_ADDRESS]]
    assert [n["kind"] for n in inbox(ADMIN)] == ["service_at_risk"]


def test_a_service_at_risk_from_another_publisher_is_quarantined(event_bus):
    forged = bus_event(AT_RISK, "registry")
    forged["source"] = "fip.files"
    assert deliver(forged)["outcome"] == "quarantined"
    assert sent_emails() == []
    assert inbox(ADMIN) == []

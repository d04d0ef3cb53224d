"""A service at risk of deactivation: one message for every admin (no single recipient), saying which
service, since when it is down, when it will be deactivated and what to do, linking to its console page."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

from fip_core.platform_events import EventMetadata, ServiceAtRisk
from fip_core.subscribers import Delivery
from notifications.dal.repository import NotificationsRepository
from notifications.domain import DEFAULT_CHANNELS, Channel, Contact, Message, MessageKind
from notifications.logic.events import MessageMaker
from notifications.logic.templates import render

ORIGIN = "https://fip.example.org"
NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
AT_RISK = ServiceAtRisk(
    service_id="s-7",
    slug="h3a",
    service_name="H3Africa <beta> & co",
    unhealthy_since=datetime(2026, 11, 7, 8, 15, 42, tzinfo=UTC),
    deactivates_at=datetime(2026, 12, 7, 8, 15, 42, tzinfo=UTC),
)


class RecordedMessages:
    """The messages table as the maker writes to it."""

    def __init__(self) -> None:
        self.added: list[tuple[Any, ...]] = []

    def add(self, *values: Any) -> None:
        self.added.append(values)


def delivered(event: ServiceAtRisk, event_id: str = "e-1") -> Delivery[ServiceAtRisk]:
    metadata = EventMetadata(
        event_id=event_id, name=event.name, version=event.version, domain="registry", occurred_at=NOW
    )
    return Delivery(metadata=metadata, source="fip.registry", event=event)


def test_a_service_at_risk_is_one_message_for_every_admin_carrying_the_event():
    messages = RecordedMessages()
    repo = cast(NotificationsRepository, SimpleNamespace(messages=messages))
    maker = MessageMaker(lambda: NOW)

    maker.consumers()[ServiceAtRisk](repo, delivered(AT_RISK))

    [(event_id, kind, user_id, facts, occurred_at, recorded_at)] = messages.added
    assert (event_id, kind, occurred_at, recorded_at) == ("e-1", MessageKind.SERVICE_AT_RISK, NOW, NOW)
    assert user_id is None  # no one user: dispatch asks the users domain for the admins
    assert facts == AT_RISK.model_dump(mode="json")


def test_admins_get_it_by_email_and_in_the_app_unless_they_choose_otherwise():
    assert DEFAULT_CHANNELS[MessageKind.SERVICE_AT_RISK] == Channel.BOTH


def test_the_message_says_which_service_since_when_until_when_and_what_to_do():
    facts = AT_RISK.model_dump(mode="json")
    kind = MessageKind.SERVICE_AT_RISK
    message = Message(id="m", event_id="e-1", kind=kind, user_id=None, facts=facts, occurred_at=NOW)
    rendered = render(message, Contact("admin", "root@example.org", "Root"), ORIGIN)

    deactivates = "2026-12-07 08:15 UTC"
    assert rendered.title == f"Service H3Africa <beta> & co will be deactivated on {deactivates} unless it recovers"
    assert rendered.text.startswith("Hello Root,\n")
    assert "The imputation service H3Africa <beta> & co (h3a) has been unhealthy since 2026-11-07 08:15 UTC." in (
        rendered.text
    )
    assert "If it is still unhealthy on 2026-12-07 08:15 UTC, it will be deactivated" in rendered.text
    assert "correct its URL on its page in the console" in rendered.text
    assert rendered.link == f"{ORIGIN}/#/services/s-7"
    assert f"Open it: {ORIGIN}/#/services/s-7" in rendered.text
    # the HTML part says the same, every value escaped
    assert "H3Africa &lt;beta&gt; &amp; co (h3a) has been unhealthy since 2026-11-07 08:15 UTC." in rendered.html
    assert "<beta>" not in rendered.html
    assert f'href="{ORIGIN}/#/services/s-7"' in rendered.html

"""The catalogue of events is generated from the models and declarations, and catches a
subscription to an event nobody publishes."""

from typing import ClassVar

from fip_core.access import Access
from fip_core.declaration import DomainDeclaration, EventSubscription, FunctionDeclaration, HttpRoute
from fip_core.platform_events import PLATFORM_EVENTS, AuditRecorded, DomainEvent, UserRegistered
from infra.domains import DOMAINS
from infra.event_catalogue import (
    CATALOGUE_PATH,
    catalogue,
    render,
    uncatalogued_events,
    unpublished_subscriptions,
)


class ResultArchived(DomainEvent):
    """Made up for this test: an event nobody publishes."""

    name: ClassVar[str] = "ResultArchived"


class UserRegisteredV2(UserRegistered):
    version: ClassVar[int] = 2


def _listener(*events: type[DomainEvent]) -> DomainDeclaration:
    functions = tuple(
        FunctionDeclaration(name=name, handler=f"listener.{name}.handler", description=name)
        for name in ("api", "migrate", "on-event")
    )
    return DomainDeclaration(
        name="listener",
        functions=functions,
        api_function="api",
        migrations_function="migrate",
        routes=(HttpRoute("GET", "/x", Access.PUBLIC),),
        subscriptions=(EventSubscription("on-event", events),),
    )


def test_the_checked_in_catalogue_is_what_the_code_says():
    assert CATALOGUE_PATH.read_text() == render(catalogue()), "run `make catalogue` and commit docs/events.md"


def test_every_subscription_of_the_platform_names_a_published_event():
    assert unpublished_subscriptions() == []
    assert uncatalogued_events() == []


def test_a_subscription_to_an_event_nobody_publishes_is_reported():
    domains = (*DOMAINS, _listener(AuditRecorded, ResultArchived))
    assert unpublished_subscriptions(domains) == [
        "listener/on-event subscribes to ResultArchived v1, which no domain publishes"
    ]
    assert uncatalogued_events(domains) == ["ResultArchived v1"]


def test_a_version_nobody_publishes_is_reported_too():
    domains = (*DOMAINS, _listener(UserRegisteredV2))
    assert unpublished_subscriptions(domains) == [
        "listener/on-event subscribes to UserRegistered v2, which no domain publishes"
    ]


def test_the_catalogue_says_who_publishes_and_who_subscribes():
    entries = {entry.model.name: entry for entry in catalogue()}
    assert set(entries) == {event.name for event in PLATFORM_EVENTS}
    assert entries["AuditRecorded"].publishers == ("registry",)
    assert entries["AuditRecorded"].subscribers == ("users/audit-recorder",)
    assert entries["UserRegistered"].publishers == ("users",)
    page = render(catalogue())
    assert "| `service_name` | string | yes |" in page
    assert "| `previous_status` | `healthy` \\| `unhealthy` \\| `unknown` | yes |" in page

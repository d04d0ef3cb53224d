"""No event is lost silently and none is applied twice: events go out as their change commits, wait
in the outbox when the relay dies or the bus refuses, and subscribers apply each once, in any order,
keeping aside (with the reason) what they cannot read."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from fip_core.events import UndeclaredEventError
from fip_core.observability import observability
from fip_core.platform_events import AuditRecorded, EventMetadata, UserRegistered, event_detail
from fip_core.relay import RelayFailedError, relay_task
from fip_core.settings import platform_settings
from fip_core.subscribers import Delivery, RejectedEvent, Subscriber
from local_platform.events import eventbridge_event, lambda_context, scheduled_event
from registry.dal.unit_of_work import STORE as REGISTRY
from registry.dal.unit_of_work import registry_repository
from registry.handlers import relay
from tests.support.api import invoke_api
from users.dal.repository import UsersRepository
from users.dal.unit_of_work import STORE as USERS
from users.handlers import audit_recorder

pytestmark = pytest.mark.usefixtures("platform")

SERVICE = {"name": "Events", "api_type": "michigan", "base_url": "http://127.0.0.1:9"}


def register(slug: str) -> str:
    answer = invoke_api("POST", "/services", body={**SERVICE, "slug": slug})
    assert answer.status == 201, answer.body
    return str(answer.body["id"])


def waiting_in_registry_outbox() -> int:
    with registry_repository() as repo:
        table = REGISTRY.tables.outbox
        return len(repo.session.execute(select(table.c.id).where(table.c.published_at.is_(None))).all())


def audit_event(
    *,
    domain: str = "registry",
    sender: str = "registry",
    source: str | None = None,
    at: datetime | None = None,
    version: int = 1,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An AuditRecorded event as the bus delivers it to the recorder."""
    record = AuditRecorded(at=at or datetime.now(UTC), domain=domain, action="service_created", actor_id="someone")
    metadata = EventMetadata(
        event_id=str(uuid.uuid4()), name=AuditRecorded.name, version=version, domain=sender, occurred_at=record.at
    )
    detail = event_detail(record, metadata)
    if data is not None:
        detail["data"] = data
    return eventbridge_event(AuditRecorded.name, detail, source or f"fip.{sender}")


def deliver(event: dict[str, Any]) -> dict[str, Any]:
    return dict(audit_recorder.handler(event, lambda_context("users-audit-recorder")))


def audit_entries() -> list[dict[str, Any]]:
    answer = invoke_api("GET", "/audit-log", query={"action": "service_created", "limit": "500"})
    return list(answer.body["items"])


def quarantined() -> list[Any]:
    with USERS.transaction() as repo:
        return list(repo.session.execute(select(USERS.tables.quarantine)).all())


# --- publishing ------------------------------------------------------------------------------------


def test_an_admin_action_is_on_the_bus_in_its_envelope_when_the_request_answers(platform):
    service_id = register("on-the-bus")
    [event] = platform.captured_events(AuditRecorded.name)
    assert event["source"] == "fip.registry"
    metadata = EventMetadata.model_validate(event["detail"]["metadata"])
    assert (metadata.name, metadata.version, metadata.domain) == ("AuditRecorded", 1, "registry")
    assert event["detail"]["data"]["target_id"] == service_id
    assert waiting_in_registry_outbox() == 0


def test_events_survive_a_relay_that_dies_between_commit_and_publish(platform, monkeypatch):
    # the container is stopped after the commit, before its relay runs
    monkeypatch.setattr("fip_core.repository.publish_domain_events", lambda *_: 0)
    register("relay-died")
    monkeypatch.undo()
    assert platform.captured_events() == []
    assert waiting_in_registry_outbox() == 1

    report = relay.handler(scheduled_event("registry-relay-events"), lambda_context("registry-relay-events"))
    assert report["published"] == 1
    assert report["oldest_waiting_seconds"] == 0
    [event] = platform.captured_events(AuditRecorded.name)
    assert event["detail"]["data"]["action"] == "service_created"
    assert relay.handler(scheduled_event("registry-relay-events"), lambda_context("x"))["published"] == 0


def test_while_the_bus_refuses_the_relay_fails_and_reports_how_long_events_have_waited(platform, monkeypatch):
    monkeypatch.setattr("fip_core.repository.publish_domain_events", lambda *_: 0)
    register("bus-down")
    monkeypatch.setenv("FIP_EVENT_BUS_NAME", "no-such-bus")
    platform_settings.cache_clear()
    later = datetime.now(UTC) + timedelta(minutes=12)
    try:
        with pytest.raises(RelayFailedError):
            relay_task(observability("registry"), REGISTRY, clock=lambda: later)({})
    finally:
        monkeypatch.undo()
        platform_settings.cache_clear()
    assert waiting_in_registry_outbox() == 1
    report = relay_task(observability("registry"), REGISTRY, clock=lambda: later)({})
    assert report["published"] == 1
    assert platform.captured_events(AuditRecorded.name)


def test_the_age_of_the_oldest_waiting_event_is_what_the_alarm_reads(platform, monkeypatch):
    monkeypatch.setattr("fip_core.repository.publish_domain_events", lambda *_: 0)
    before = datetime.now(UTC)
    register("aging")
    monkeypatch.setenv("FIP_EVENT_BUS_NAME", "no-such-bus")
    platform_settings.cache_clear()
    metrics: list[tuple[str, float]] = []
    obs = observability("registry")
    monkeypatch.setattr(obs.metrics, "add_metric", lambda name, unit, value: metrics.append((name, value)))
    later = before + timedelta(minutes=12)
    try:
        with pytest.raises(RelayFailedError):
            relay_task(obs, REGISTRY, clock=lambda: later)({})
    finally:
        platform_settings.cache_clear()
    assert ("EventsRelayed", 0) in metrics
    [age] = [value for name, value in metrics if name == "OldestUnrelayedEventAgeSeconds"]
    assert 11 * 60 < age <= 12 * 60


def test_a_domain_cannot_queue_an_event_it_does_not_declare():
    with (
        pytest.raises(UndeclaredEventError, match="does not declare that it publishes UserRegistered"),
        REGISTRY.transaction() as repo,
    ):
        repo.add_event(
            UserRegistered(user_id="u", email="u@example.org", registered_at=datetime.now(UTC)), datetime.now(UTC)
        )


# --- subscribing ---------------------------------------------------------------------------------


def test_a_record_delivered_twice_is_kept_once():
    event = audit_event()
    assert deliver(event)["outcome"] == "applied"
    assert deliver(event)["outcome"] == "duplicate"
    entries = [e for e in audit_entries() if e["id"] == event["detail"]["metadata"]["event_id"]]
    assert len(entries) == 1


def test_records_delivered_out_of_order_are_all_kept_in_the_order_they_happened():
    now = datetime.now(UTC)
    older, newer = audit_event(at=now - timedelta(minutes=5)), audit_event(at=now)
    for event in (newer, older):
        assert deliver(event)["outcome"] == "applied"
    ids = [e["id"] for e in audit_entries()]
    assert ids.index(newer["detail"]["metadata"]["event_id"]) < ids.index(older["detail"]["metadata"]["event_id"])


@pytest.mark.parametrize(
    ("make_event", "reason"),
    [
        (lambda: audit_event(domain="users"), "an audit record of the 'users' domain was sent by 'registry'"),
        (lambda: audit_event(source="fip.users"), "source 'fip.users' is not the domain the envelope names"),
        (lambda: audit_event(version=2), "AuditRecorded v2 is not read here"),
        (
            lambda: audit_event(data={"domain": "registry"}),
            "the data is not a valid AuditRecorded v1: at: Field required",
        ),
        (lambda: audit_event(data={"at": "now", "domain": "registry", "action": "x"}), "at: Input should be a valid"),
        (lambda: audit_event(data={"at": "2026-01-01T00:00:00Z", "domain": "registry", "action": "a" * 65}), "action"),
        (
            lambda: eventbridge_event(AuditRecorded.name, {"domain": "registry", "action": "x"}, "fip.registry"),
            "no metadata envelope",
        ),
    ],
    ids=["another-domains-record", "wrong-source", "unknown-version", "missing-field", "bad-time", "too-long", "flat"],
)
def test_what_cannot_be_read_is_quarantined_with_the_reason_and_not_applied(
    make_event: Callable[[], dict[str, Any]], reason: str
):
    before = audit_entries()
    event = make_event()
    outcome = deliver(event)
    assert outcome["outcome"] == "quarantined"
    assert reason in outcome["reason"]
    assert audit_entries() == before
    [kept] = quarantined()
    assert reason in kept.reason
    assert kept.event == event
    assert deliver(event)["outcome"] == "quarantined"  # not retried into success, kept again


def test_a_consumer_that_fails_is_retried_and_applies_the_event_once_it_succeeds():
    attempts: list[str] = []

    def flaky(repo: UsersRepository, delivery: Delivery[AuditRecorded]) -> None:
        attempts.append(delivery.metadata.event_id)
        repo.audit(delivery.event.record(), delivery.metadata.event_id)
        if len(attempts) == 1:
            raise RuntimeError("the database went away mid-way")

    subscriber = Subscriber(USERS, {AuditRecorded: flaky}, observability("users"))
    event = audit_event()
    with pytest.raises(RuntimeError):
        subscriber.receive(event)  # Lambda retries, then sends the event to the dead letters
    assert [e for e in audit_entries() if e["id"] == event["detail"]["metadata"]["event_id"]] == []
    assert subscriber.receive(event).outcome == "applied"
    assert subscriber.receive(event).outcome == "duplicate"
    assert len(attempts) == 2


def test_a_consumer_may_refuse_an_event_into_quarantine():
    def refuse(_repo: UsersRepository, _delivery: Delivery[AuditRecorded]) -> None:
        raise RejectedEvent("not for us")

    outcome = Subscriber(USERS, {AuditRecorded: refuse}, observability("users")).receive(audit_event())
    assert (outcome.outcome, outcome.reason) == ("quarantined", "not for us")

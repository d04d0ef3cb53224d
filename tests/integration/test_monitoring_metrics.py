"""The business metrics the subscriber sends: once per applied event, after its commit; nothing for a
duplicate or for an event older than what was seen."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fip_core.platform_events import ServiceHealthChanged
from monitoring.handlers.on_event import ledger, obs, subscriber
from monitoring.logic import metrics
from tests.support.monitoring import NOW, checks_round, deliver, life, transition
from tests.support.notifications import bus_event

T0 = NOW - timedelta(hours=3)


@pytest.fixture
def sent(monitoring_db: str, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, float]]:
    ledger.cache_clear()  # a fresh ledger, and the subscriber made with its consumers
    subscriber.cache_clear()
    recorded: list[tuple[str, str, float]] = []
    monkeypatch.setattr(obs.metrics, "add_metric", lambda name, unit, value: recorded.append((name, unit, value)))
    return recorded


def test_a_job_makes_its_metrics_once_however_often_and_late_its_events_come(sent):
    events = life("j1", "completed", created=T0, minutes=[0, 1, 2, 10, 70])
    for event in events:
        deliver(event)
    for event in reversed(events):
        assert deliver(event)["outcome"] == "duplicate"
    deliver(transition("j1", 4, "running", created=T0, at=T0 + timedelta(minutes=9)))  # another, older id
    assert sent == [
        (metrics.JOBS_SUBMITTED, "Count", 1),
        (metrics.QUEUE_SECONDS, "Seconds", 540.0),
        (metrics.JOBS_COMPLETED, "Count", 1),
        (metrics.TURNAROUND_SECONDS, "Seconds", 4200.0),
    ]


def test_services_going_down_and_their_checks_are_counted(sent):
    down = ServiceHealthChanged(
        service_id="s", slug="s", service_name="S", previous_status="healthy", status="unhealthy", checked_at=NOW
    )
    deliver(bus_event(down, "registry"))
    deliver(checks_round(NOW, ("s", "unhealthy", None), ("t", "healthy", 12.0)))
    assert sent == [
        (metrics.SERVICES_DOWN, "Count", 1),
        (metrics.SERVICE_CHECKS, "Count", 2),
        (metrics.SERVICE_CHECKS_FAILED, "Count", 1),
    ]

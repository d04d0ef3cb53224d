"""The services dashboards agree with the registry's events fed in: uptime over 24 hours, 7 and 30 days,
response-time percentiles hour by hour, and the services whose deactivation is near, whatever order
and however often the events come."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from fip_core.platform_events import ServiceAtRisk, ServiceDeactivated, ServiceHealthChanged
from local_platform.events import lambda_context, scheduled_event
from monitoring.logic.histogram import RESPONSE_MS
from tests.support.api import invoke_api
from tests.support.monitoring import ADMIN, NOW, checks_round, deliver, freeze_clock, life
from tests.support.notifications import bus_event

HOUR = timedelta(hours=1)


@pytest.fixture(autouse=True)
def monitoring(monitoring_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    freeze_clock(monkeypatch)


def changed(service_id: str, previous: str, status: str, at: datetime) -> dict[str, Any]:
    event = ServiceHealthChanged(
        service_id=service_id,
        slug=service_id,
        service_name=service_id.upper(),
        previous_status=previous,
        status=status,
        checked_at=at,
    )
    return bus_event(event, "registry")


def at_risk(service_id: str, since: datetime) -> dict[str, Any]:
    event = ServiceAtRisk(
        service_id=service_id,
        slug=service_id,
        service_name=service_id.upper(),
        unhealthy_since=since,
        deactivates_at=since + timedelta(days=30),
    )
    return bus_event(event, "registry")


def deactivated(service_id: str) -> dict[str, Any]:
    event = ServiceDeactivated(service_id=service_id, slug=service_id, service_name="X", reason="down 30 days")
    return bus_event(event, "registry")


def middle(ms: float) -> float:
    return round(RESPONSE_MS.middle(RESPONSE_MS.bucket(ms)), 3)


def every_event() -> list[dict[str, Any]]:
    return [
        changed("svc-a", "unknown", "healthy", NOW - timedelta(days=10)),
        changed("svc-b", "unknown", "unhealthy", NOW - 2 * HOUR),
        checks_round(NOW - timedelta(days=10), ("svc-a", "healthy", 90.0)),
        checks_round(NOW - 2 * HOUR, ("svc-a", "healthy", 100.0), ("svc-b", "unhealthy", None)),
        checks_round(NOW - HOUR, ("svc-a", "healthy", 200.0), ("svc-b", "healthy", 50.0)),
        checks_round(NOW - HOUR + timedelta(minutes=30), ("svc-a", "healthy", 400.0)),
        checks_round(NOW, ("svc-a", "unhealthy", 10.0), ("svc-b", "healthy", 60.0)),
        changed("svc-b", "unhealthy", "healthy", NOW - HOUR),
        changed("svc-a", "healthy", "unhealthy", NOW),
    ]


def assert_the_figures() -> None:
    answer = invoke_api("GET", "/dashboard/services", query={"hours": "3"}, principal=ADMIN)
    assert answer.status == 200, answer.body
    assert answer.body["window_hours"] == 3
    views = {view["service_id"]: view for view in answer.body["services"]}
    a, b = views["svc-a"], views["svc-b"]
    assert (a["name"], a["status"], a["active"]) == ("SVC-A", "unhealthy", True)
    assert (b["name"], b["status"]) == ("SVC-B", "healthy")
    # svc-a: 3 of its 4 checks today healthy; the one 10 days ago counts for 30 days only
    assert a["uptime"] == {"last_24h": 75.0, "last_7d": 75.0, "last_30d": 80.0}
    assert b["uptime"] == {"last_24h": round(200 / 3, 2), "last_7d": round(200 / 3, 2), "last_30d": round(200 / 3, 2)}
    # response times of healthy checks only, within the window: 100, 200, 400 ms
    assert a["response_time_ms"] == {"count": 3, "p50": middle(200), "p95": middle(400)}
    assert [(p["hour"][:13], p["checks"], p["uptime"], p["p50_ms"]) for p in a["series"]] == [
        ("2026-12-01T10", 1, 100.0, middle(100)),
        ("2026-12-01T11", 2, 100.0, middle(200)),
        ("2026-12-01T12", 1, 0.0, None),
    ]
    assert [(p["checks"], p["uptime"]) for p in b["series"]] == [(1, 0.0), (1, 100.0), (1, 100.0)]


def test_the_services_dashboard_agrees_with_the_checks_fed_in():
    for event in every_event():
        assert deliver(event)["outcome"] == "applied"
    assert_the_figures()


def test_duplicates_and_any_order_change_nothing():
    events = every_event()
    for event in [*reversed(events), *events[::3], *events]:
        deliver(event)
    assert_the_figures()


def test_hours_without_checks_are_points_without_figures():
    deliver(checks_round(NOW - 5 * HOUR, ("svc-c", "healthy", 30.0)))
    [view] = invoke_api("GET", "/dashboard/services", query={"hours": "24"}, principal=ADMIN).body["services"]
    assert len(view["series"]) == 24
    last = view["series"][-1]
    assert (last["checks"], last["uptime"], last["p50_ms"], last["p95_ms"]) == (0, None, None, None)
    assert datetime.fromisoformat(last["hour"]) == NOW
    assert sum(point["checks"] for point in view["series"]) == 1
    assert view["name"] is None  # no event named it yet


def at_risk_ids() -> list[str]:
    answer = invoke_api("GET", "/dashboard/services/at-risk", principal=ADMIN)
    assert answer.status == 200, answer.body
    return [service["service_id"] for service in answer.body["services"]]


def test_a_service_at_risk_is_listed_with_its_dates_until_it_recovers():
    since = NOW - timedelta(days=25)
    deliver(at_risk("svc-b", since))
    [listed] = invoke_api("GET", "/dashboard/services/at-risk", principal=ADMIN).body["services"]
    assert (listed["service_id"], listed["slug"], listed["name"]) == ("svc-b", "svc-b", "SVC-B")
    assert datetime.fromisoformat(listed["unhealthy_since"]) == since
    assert datetime.fromisoformat(listed["deactivates_at"]) == since + timedelta(days=30)
    deliver(changed("svc-b", "unhealthy", "healthy", since - timedelta(days=1)))  # late: before the spell
    assert at_risk_ids() == ["svc-b"]
    deliver(changed("svc-b", "unhealthy", "healthy", NOW))
    assert at_risk_ids() == []


def test_a_deactivated_service_is_no_longer_at_risk_and_not_active():
    deliver(at_risk("svc-b", NOW - timedelta(days=25)))
    deliver(checks_round(NOW - HOUR, ("svc-b", "unhealthy", None)))
    deliver(deactivated("svc-b"))
    assert at_risk_ids() == []
    [view] = invoke_api("GET", "/dashboard/services", principal=ADMIN).body["services"]
    assert view["active"] is False


def test_a_warning_arriving_after_the_recovery_lists_nothing():
    since = NOW - timedelta(days=25)
    deliver(checks_round(NOW - HOUR, ("svc-b", "healthy", 20.0)))  # seen healthy after the spell began
    event = at_risk("svc-b", since)
    deliver(event)
    deliver(event)
    assert at_risk_ids() == []


def test_rollups_past_their_retention_are_pruned_and_the_rest_kept():
    from monitoring.handlers.prune import handler as prune

    old = NOW - timedelta(days=40)
    deliver(checks_round(old, ("svc-a", "healthy", 30.0)))
    deliver(checks_round(NOW - HOUR, ("svc-a", "healthy", 30.0)))
    for event in life("j1", "completed", created=NOW - timedelta(days=500), minutes=[0, 1, 2, 3, 4]):
        deliver(event)
    # the hour 40 days ago and its histogram bucket; the day 500 days ago: its outcome, turnaround and queue
    # time, for the platform and for the owner
    assert prune(scheduled_event("monitoring-prune"), lambda_context("monitoring-prune")) == {"removed": 2 + 3 * 2}
    views = invoke_api("GET", "/dashboard/services", principal=ADMIN).body["services"]
    [view] = [view for view in views if view["service_id"] == "svc-a"]
    assert view["uptime"]["last_30d"] == 100.0
    assert invoke_api("GET", "/dashboard/platform", principal=ADMIN).body["by_status"]["completed"] == 1

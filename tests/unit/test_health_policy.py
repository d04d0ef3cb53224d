"""When services are due and what one check does to their health."""

from datetime import UTC, datetime, timedelta

import pytest

from registry.domain import HealthState
from registry.logic.health import HealthPolicy, next_health
from registry.models.common import HealthStatus
from registry.models.health import ProbeOutcome
from registry.settings import RegistrySettings

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
POLICY = HealthPolicy.from_settings(RegistrySettings())
HEALTHY = ProbeOutcome(
    status=HealthStatus.HEALTHY, response_time_ms=42.0, checked_url="https://x/api/v2/server", http_status=200
)
DOWN = ProbeOutcome(status=HealthStatus.UNHEALTHY, checked_url="https://x/api/v2/server", error="refused")


def test_defaults_match_the_documented_schedule():
    assert POLICY.healthy_recheck == timedelta(minutes=15)
    assert POLICY.backoff_first == timedelta(minutes=1)
    assert POLICY.deactivate_after == timedelta(days=30)


def test_a_healthy_check_clears_failures_and_comes_back_after_fifteen_minutes():
    previous = HealthState(
        status=HealthStatus.UNHEALTHY, consecutive_failures=4, last_error="x", unhealthy_since=NOW - timedelta(hours=1)
    )
    health = next_health(previous, HEALTHY, NOW, POLICY)
    assert health.status is HealthStatus.HEALTHY
    assert health.consecutive_failures == 0
    assert health.unhealthy_since is None
    assert health.last_error is None
    assert health.response_time_ms == 42.0
    assert health.next_check_at == NOW + timedelta(minutes=15)


def test_failing_services_are_retried_sooner_with_growing_backoff():
    health = HealthState(status=HealthStatus.HEALTHY)
    delays = []
    for minute in range(7):
        now = NOW + timedelta(minutes=minute)
        health = next_health(health, DOWN, now, POLICY)
        assert health.next_check_at is not None
        delays.append((health.next_check_at - now).total_seconds() / 60)
    assert delays == [1, 2, 4, 8, 10, 10, 10]
    assert all(delay < 15 for delay in delays)


def test_unhealthy_since_marks_the_first_failure_of_a_run():
    first = next_health(HealthState(status=HealthStatus.HEALTHY), DOWN, NOW, POLICY)
    later = next_health(first, DOWN, NOW + timedelta(minutes=5), POLICY)
    assert first.unhealthy_since == NOW
    assert later.unhealthy_since == NOW
    assert later.consecutive_failures == 2
    assert later.last_error == "refused"


def test_an_unknown_service_that_fails_starts_its_unhealthy_run_now():
    health = next_health(HealthState(status=HealthStatus.UNKNOWN), DOWN, NOW, POLICY)
    assert health.unhealthy_since == NOW
    assert health.consecutive_failures == 1


@pytest.mark.parametrize(("failures", "minutes"), [(0, 1), (1, 1), (2, 2), (3, 4), (50, 10)])
def test_retry_delay(failures, minutes):
    assert POLICY.retry_delay(failures) == timedelta(minutes=minutes)

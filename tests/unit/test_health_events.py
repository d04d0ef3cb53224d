"""What a recorded round of checks queues: one ServicesChecked with every check kept, beside the
status changes; and when a spell of ill health is at risk of deactivation."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from fip_core.platform_events import DomainEvent, ServiceHealthChanged, ServicesChecked
from registry.domain import CheckResult, CheckTarget, HealthState, RecordedChecks
from registry.logic.health import HealthPolicy, record_outcomes
from registry.models.common import ApiType, HealthStatus
from registry.models.health import ProbeOutcome
from registry.settings import RegistrySettings

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
POLICY = HealthPolicy.from_settings(RegistrySettings())
UP = ProbeOutcome(status=HealthStatus.HEALTHY, response_time_ms=42.0, checked_url="https://x", http_status=200)
DOWN = ProbeOutcome(status=HealthStatus.UNHEALTHY, checked_url="https://x", error="refused")


@dataclass
class _Health:
    drop: set[str] = field(default_factory=set)  # services deleted while they were checked

    def record(self, results: list[CheckResult]) -> RecordedChecks:
        return RecordedChecks(
            kept=[r for r in results if r.target.service_id not in self.drop],
            dropped=[r for r in results if r.target.service_id in self.drop],
        )


@dataclass
class _Repo:
    health: _Health = field(default_factory=_Health)
    queued: list[DomainEvent] = field(default_factory=list)

    def add_events(self, events: list[DomainEvent], now: datetime) -> list[str]:
        self.queued.extend(events)
        return [str(n) for n in range(len(events))]


def target(n: int, status: HealthStatus) -> CheckTarget:
    return CheckTarget(f"id-{n}", f"s{n}", f"S{n}", ApiType.MICHIGAN, f"https://s{n}", HealthState(status))


def test_a_round_queues_one_services_checked_with_every_check_kept_and_the_changes_beside_it():
    repo = _Repo(_Health(drop={"id-2"}))
    targets = [target(0, HealthStatus.HEALTHY), target(1, HealthStatus.HEALTHY), target(2, HealthStatus.HEALTHY)]
    record_outcomes(repo, targets, [UP, DOWN, UP], NOW, POLICY)  # type: ignore[arg-type]
    changes = [e for e in repo.queued if isinstance(e, ServiceHealthChanged)]
    rounds = [e for e in repo.queued if isinstance(e, ServicesChecked)]
    assert [(c.service_id, c.status) for c in changes] == [("id-1", "unhealthy")]
    [checked] = rounds
    assert [(c.service_id, c.status, c.response_time_ms, c.checked_at) for c in checked.checks] == [
        ("id-0", "healthy", 42.0, NOW),
        ("id-1", "unhealthy", None, NOW),
    ]


def test_a_round_whose_checks_were_all_dropped_queues_nothing():
    repo = _Repo(_Health(drop={"id-0"}))
    record_outcomes(repo, [target(0, HealthStatus.UNKNOWN)], [UP], NOW, POLICY)  # type: ignore[arg-type]
    assert repo.queued == []


def test_a_service_is_at_risk_after_twenty_five_of_the_thirty_days_by_default():
    assert POLICY.at_risk_window == timedelta(days=5)
    assert POLICY.at_risk_after == timedelta(days=25)
    shorter = HealthPolicy.from_settings(RegistrySettings(deactivate_after_days=3, at_risk_window_days=5))
    assert shorter.at_risk_after == timedelta(0)  # the window never reaches before the spell began

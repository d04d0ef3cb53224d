"""Health of the services: when each is due, what a check changes, and the concurrent sweep.

The logic reaches the outside only through the adapters it is handed (`registry.logic.ports`):
the prober, a database transaction (which relays the events it queued once it commits) and the clock.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from fip_core.container import long_lived_heap_set_aside
from fip_core.observability import observability
from fip_core.outbound.loop import run as run_outbound
from fip_core.platform_events import (
    DomainEvent,
    ServiceAtRisk,
    ServiceCheck,
    ServiceDeactivated,
    ServiceHealthChanged,
    ServicesChecked,
)
from fip_core.problems import NotFoundError
from fip_core.relay import record_and_relay
from registry.dal.repository import RegistryRepository
from registry.domain import CheckResult, CheckTarget, HealthState, UptimeShares
from registry.logic.api_models import health_check, health_report
from registry.logic.ports import HealthAdapters, Prober
from registry.logic.services import existing_service
from registry.models.common import ApiType, HealthStatus
from registry.models.health import (
    ConnectionTest,
    HealthHistory,
    HealthOverview,
    ProbeOutcome,
    ServiceHealthReport,
    SweepReport,
)
from registry.models.services import ServiceQuery
from registry.settings import DOMAIN, RegistrySettings

OVERVIEW_LIMIT = 10_000
RECORD_BATCH = 250  # checks recorded per transaction while a sweep runs
NO_UPTIME = UptimeShares()


@dataclass(frozen=True)
class HealthPolicy:
    """How often services are checked, how long a check may take and when a service is given up."""

    check_timeout_seconds: float
    concurrency: int
    batch_limit: int
    healthy_recheck: timedelta
    backoff_first: timedelta
    backoff_max: timedelta
    deactivate_after: timedelta
    history_retention: timedelta
    at_risk_window: timedelta = timedelta(days=5)
    claim_lease: timedelta = timedelta(minutes=5)

    @classmethod
    def from_settings(cls, settings: RegistrySettings) -> HealthPolicy:
        """The policy the settings describe."""
        return cls(
            check_timeout_seconds=settings.check_timeout_seconds,
            concurrency=settings.sweep_concurrency,
            batch_limit=settings.sweep_batch_limit,
            healthy_recheck=timedelta(minutes=settings.healthy_recheck_minutes),
            backoff_first=timedelta(minutes=settings.failing_backoff_first_minutes),
            backoff_max=timedelta(minutes=settings.failing_backoff_max_minutes),
            deactivate_after=timedelta(days=settings.deactivate_after_days),
            history_retention=timedelta(days=settings.history_retention_days),
            at_risk_window=timedelta(days=min(settings.at_risk_window_days, settings.deactivate_after_days)),
        )

    @property
    def at_risk_after(self) -> timedelta:
        """How long a service is down before it is at risk: 25 of the 30 days by default."""
        return self.deactivate_after - self.at_risk_window

    def retry_delay(self, consecutive_failures: int) -> timedelta:
        """Backoff of a failing service: first delay, doubled per further failure, capped."""
        doublings = min(max(consecutive_failures - 1, 0), 16)
        return min(self.backoff_first * (1 << doublings), self.backoff_max)


def next_health(previous: HealthState, outcome: ProbeOutcome, now: datetime, policy: HealthPolicy) -> HealthState:
    """The health a service is in after a check."""
    if outcome.status is HealthStatus.HEALTHY:
        return HealthState(
            status=HealthStatus.HEALTHY,
            response_time_ms=outcome.response_time_ms,
            last_checked_at=now,
            next_check_at=now + policy.healthy_recheck,
            queue_load=outcome.details.queue_load if outcome.details else None,
        )
    failures = previous.consecutive_failures + 1
    still_down = previous.status is HealthStatus.UNHEALTHY and previous.unhealthy_since is not None
    return HealthState(
        status=HealthStatus.UNHEALTHY,
        response_time_ms=outcome.response_time_ms,
        last_checked_at=now,
        next_check_at=now + policy.retry_delay(failures),
        consecutive_failures=failures,
        last_error=outcome.error,
        unhealthy_since=previous.unhealthy_since if still_down else now,
    )


async def probe_within_limit(prober: Prober, api_type: ApiType, base_url: str, policy: HealthPolicy) -> ProbeOutcome:
    """A probe, abandoned (and the service unhealthy) once the check's time limit has passed."""
    try:
        async with asyncio.timeout(policy.check_timeout_seconds):
            return await prober.probe(api_type, base_url)
    except TimeoutError:
        return ProbeOutcome(status=HealthStatus.UNHEALTHY, checked_url=base_url, error="timed out")


async def check_targets(targets: Sequence[CheckTarget], prober: Prober, policy: HealthPolicy) -> list[ProbeOutcome]:
    """Probe all targets, at most `concurrency` at a time, each within the time limit; a probe that
    raises leaves its service unhealthy ('check failed') and the others unaffected."""
    limit = asyncio.Semaphore(policy.concurrency)
    return list(await asyncio.gather(*(_check(target, prober, policy, limit) for target in targets)))


async def _check(target: CheckTarget, prober: Prober, policy: HealthPolicy, limit: asyncio.Semaphore) -> ProbeOutcome:
    async with limit:
        try:
            return await probe_within_limit(prober, target.api_type, target.base_url, policy)
        except Exception:
            observability(DOMAIN).logger.exception("probe failed", extra={"service_id": target.service_id})
            return ProbeOutcome(status=HealthStatus.UNHEALTHY, checked_url=target.base_url, error="check failed")


def record_outcomes(
    repo: RegistryRepository,
    targets: Sequence[CheckTarget],
    outcomes: Sequence[ProbeOutcome],
    now: datetime,
    policy: HealthPolicy,
) -> list[CheckResult]:
    """Store the checks, move each service to its new health, queue an event for each status that
    changed and one `ServicesChecked` with every check kept (what monitoring computes uptime and
    response times from); answer the checks kept (those of services deleted or moved meanwhile are not)."""
    results = [
        CheckResult(
            target=target, checked_at=now, outcome=outcome, health=next_health(target.health, outcome, now, policy)
        )
        for target, outcome in zip(targets, outcomes, strict=True)
    ]
    recorded = repo.health.record(results)
    changes: list[DomainEvent] = [
        ServiceHealthChanged(
            service_id=result.target.service_id,
            slug=result.target.slug,
            service_name=result.target.name,
            previous_status=result.target.health.status.value,
            status=result.health.status.value,
            checked_at=now,
            response_time_ms=result.outcome.response_time_ms,
            error=result.outcome.error,
        )
        for result in recorded.kept
        if _changed(result)
    ]
    checked = [_round_of(recorded.kept)] if recorded.kept else []
    repo.add_events([*changes, *checked], now)
    return recorded.kept


def _round_of(kept: Sequence[CheckResult]) -> ServicesChecked:
    return ServicesChecked(
        checks=[
            ServiceCheck(
                service_id=result.target.service_id,
                status=result.outcome.status.value,
                checked_at=result.checked_at,
                response_time_ms=result.outcome.response_time_ms,
            )
            for result in kept
        ]
    )


def _changed(result: CheckResult) -> bool:
    """Whether a check moved its service to another status (and so queued an event)."""
    return result.health.status is not result.target.health.status


@dataclass(repr=False)  # asyncio.run's SIGINT handler reprs the task, result included, as the run ends
class _SweepProgress:
    """What a sweep has recorded so far."""

    kept: list[CheckResult] = field(default_factory=list)
    discarded: int = 0
    rounds: int = 0  # batches recorded: one ServicesChecked each

    @property
    def changes(self) -> int:
        """The status changes recorded so far."""
        return sum(1 for result in self.kept if _changed(result))

    @property
    def events(self) -> int:
        """The events queued so far: a status change each, and one round of checks per batch."""
        return self.changes + self.rounds


def run_sweep(adapters: HealthAdapters, policy: HealthPolicy) -> SweepReport:
    """Check every service that is due, concurrently, recording the results as they come in (their
    events relayed while later batches are recorded); then deactivate services down too long and
    prune old history."""
    started = time.perf_counter()
    with long_lived_heap_set_aside():
        now = adapters.clock()
        with adapters.transaction() as repo:
            targets = repo.health.claim_due(now, now + policy.claim_lease, policy.batch_limit)
        progress = run_outbound(_check_and_record(adapters, targets, policy)) if targets else _SweepProgress()
        deactivated, at_risk = _deactivate_and_prune(adapters, policy)
    kept = progress.kept
    healthy = sum(1 for result in kept if result.outcome.status is HealthStatus.HEALTHY)
    changes = progress.changes
    return SweepReport(
        checked=len(kept),
        healthy=healthy,
        unhealthy=len(kept) - healthy,
        status_changes=changes,
        discarded=progress.discarded,
        deactivated=deactivated,
        at_risk=at_risk,
        events_queued=progress.events + deactivated + at_risk,
        wall_seconds=round(time.perf_counter() - started, 3),
    )


async def _check_and_record(
    adapters: HealthAdapters, targets: Sequence[CheckTarget], policy: HealthPolicy
) -> _SweepProgress:
    """Probe the targets and, while later probes still wait on the network, record the finished
    ones: each batch in its own transaction, taking whatever has finished while the previous one
    was written (at most RECORD_BATCH), so the last answers are recorded soon after they come in.
    The events of the recorded batches go to the bus from one relay at a time, beside the writes
    rather than between them. What was checked is kept even if the sweep is cut short."""
    limit = asyncio.Semaphore(policy.concurrency)
    finished: asyncio.Queue[tuple[CheckTarget, ProbeOutcome] | None] = asyncio.Queue()
    progress = _SweepProgress()

    async def check(target: CheckTarget) -> None:
        finished.put_nowait((target, await _check(target, adapters.prober, policy, limit)))

    async with asyncio.TaskGroup() as group:
        recorder = group.create_task(
            record_and_relay(
                finished,
                RECORD_BATCH,
                lambda checks: record_batch(adapters, checks, policy, progress),
                lambda: progress.events,  # counted over all kept so far: once per batch, not per use
                adapters.relay,
            )
        )
        async with asyncio.TaskGroup() as checks:
            for target in targets:
                checks.create_task(check(target))
        finished.put_nowait(None)
        await recorder
    return progress


def record_batch(
    adapters: HealthAdapters,
    checks: list[tuple[CheckTarget, ProbeOutcome]],
    policy: HealthPolicy,
    progress: _SweepProgress,
) -> None:
    """Record a batch of finished checks in one transaction whose events wait for the sweep's relay."""
    targets, outcomes = [target for target, _ in checks], [outcome for _, outcome in checks]
    with adapters.transaction(relay=False) as repo:
        kept = record_outcomes(repo, targets, outcomes, adapters.clock(), policy)
    progress.kept.extend(kept)
    progress.discarded += len(checks) - len(kept)
    progress.rounds += 1 if kept else 0


def _deactivate_and_prune(adapters: HealthAdapters, policy: HealthPolicy) -> tuple[int, int]:
    """Deactivate the services down too long, warn once per spell of ill health about those whose
    deactivation is near, and prune old history; answer how many were deactivated and warned about."""
    now = adapters.clock()
    with adapters.transaction() as repo:
        deactivated = repo.health.deactivate_unhealthy_since(
            now - policy.deactivate_after, f"unhealthy for more than {policy.deactivate_after.days} days", now
        )
        for service in deactivated:
            repo.add_event(
                ServiceDeactivated(
                    service_id=service.id,
                    slug=service.slug,
                    service_name=service.name,
                    reason=service.deactivated_reason or "deactivated",
                ),
                now,
            )
        at_risk = repo.health.mark_at_risk(now - policy.at_risk_after)
        repo.add_events(
            [
                ServiceAtRisk(
                    service_id=service.id,
                    slug=service.slug,
                    service_name=service.name,
                    unhealthy_since=since,
                    deactivates_at=since + policy.deactivate_after,
                )
                for service in at_risk
                if (since := service.health.unhealthy_since) is not None
            ],
            now,
        )
        repo.health.prune(now - policy.history_retention)
    return len(deactivated), len(at_risk)


def check_now(adapters: HealthAdapters, service_id: UUID, policy: HealthPolicy) -> ServiceHealthReport:
    """Check one service at once, whatever its schedule, and record the result like a sweep would."""
    with adapters.transaction() as repo:
        target = repo.health.target(str(service_id))
    if target is None:
        raise NotFoundError(f"no imputation service with id {service_id}")
    outcomes = run_outbound(check_targets([target], adapters.prober, policy))
    now = adapters.clock()
    with adapters.transaction() as repo:
        record_outcomes(repo, [target], outcomes, now, policy)
        return service_health_report(repo, service_id, now)


def probe_connection(request: ConnectionTest, prober: Prober, policy: HealthPolicy) -> ProbeOutcome:
    """Probe a URL as a service of the given type without storing anything."""
    return run_outbound(probe_within_limit(prober, request.api_type, request.base_url, policy))


def service_health_report(repo: RegistryRepository, service_id: UUID, now: datetime) -> ServiceHealthReport:
    """A service's current health and uptime."""
    service = existing_service(repo, service_id)
    return health_report(service, repo.health.uptime(now, [service.id]).get(service.id, NO_UPTIME))


def health_history(repo: RegistryRepository, service_id: UUID, limit: int, before: datetime | None) -> HealthHistory:
    """Past checks of a service, newest first."""
    existing_service(repo, service_id)
    return HealthHistory(
        service_id=service_id, items=[health_check(c) for c in repo.health.history(str(service_id), limit, before)]
    )


def health_overview(repo: RegistryRepository, now: datetime, api_type: ApiType | None = None) -> HealthOverview:
    """Every service's health and uptime, the failing ones first."""
    services = repo.services.matching(ServiceQuery(api_type=api_type, limit=OVERVIEW_LIMIT))
    uptime = repo.health.uptime(now)
    order = {HealthStatus.UNHEALTHY: 0, HealthStatus.UNKNOWN: 1, HealthStatus.HEALTHY: 2}
    services.sort(key=lambda s: (not s.is_active, order[s.health.status], s.name.lower()))
    return HealthOverview(
        counts=repo.health.counts(), services=[health_report(s, uptime.get(s.id, NO_UPTIME)) for s in services]
    )

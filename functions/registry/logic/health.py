"""Health of the services: when each is due, what a check changes, and the concurrent sweep."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from fip_core.observability import observability
from fip_core.platform_events import ServiceDeactivated, ServiceHealthChanged
from fip_core.problems import NotFoundError
from registry.dal.repository import CheckRecord, CheckTarget, RegistryRepository
from registry.logic.services import get_service
from registry.models.common import ApiType, HealthStatus
from registry.models.health import (
    ConnectionTest,
    HealthHistory,
    HealthOverview,
    ProbeOutcome,
    ServiceHealthReport,
    SweepReport,
    Uptime,
)
from registry.models.services import ImputationService, ServiceHealth, ServiceQuery
from registry.probes.http import probe_client
from registry.probes.service import probe_service
from registry.settings import DOMAIN, RegistrySettings

OVERVIEW_LIMIT = 10_000
NO_UPTIME = Uptime(last_24h=None, last_7d=None, last_30d=None)

RepositoryScope = Callable[[], AbstractContextManager[RegistryRepository]]
Clock = Callable[[], datetime]


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
        )

    def retry_delay(self, consecutive_failures: int) -> timedelta:
        """Backoff of a failing service: first delay, doubled per further failure, capped."""
        doublings = min(max(consecutive_failures - 1, 0), 16)
        return min(self.backoff_first * (1 << doublings), self.backoff_max)


def next_health(previous: ServiceHealth, outcome: ProbeOutcome, now: datetime, policy: HealthPolicy) -> ServiceHealth:
    """The health a service is in after a check."""
    if outcome.status is HealthStatus.HEALTHY:
        return ServiceHealth(
            status=HealthStatus.HEALTHY,
            response_time_ms=outcome.response_time_ms,
            last_checked_at=now,
            next_check_at=now + policy.healthy_recheck,
            consecutive_failures=0,
            last_error=None,
            unhealthy_since=None,
        )
    failures = previous.consecutive_failures + 1
    still_down = previous.status is HealthStatus.UNHEALTHY and previous.unhealthy_since is not None
    return ServiceHealth(
        status=HealthStatus.UNHEALTHY,
        response_time_ms=outcome.response_time_ms,
        last_checked_at=now,
        next_check_at=now + policy.retry_delay(failures),
        consecutive_failures=failures,
        last_error=outcome.error,
        unhealthy_since=previous.unhealthy_since if still_down else now,
    )


async def check_targets(targets: Sequence[CheckTarget], policy: HealthPolicy) -> list[ProbeOutcome]:
    """Probe all targets with one client, at most `concurrency` at a time, each within the time limit."""
    if not targets:
        return []
    limit = asyncio.Semaphore(policy.concurrency)
    async with probe_client(policy.check_timeout_seconds) as client:

        async def check(target: CheckTarget) -> ProbeOutcome:
            async with limit:
                return await probe_service(client, target.api_type, target.base_url, policy.check_timeout_seconds)

        answers = await asyncio.gather(*(check(target) for target in targets), return_exceptions=True)
    outcomes = []
    for target, answer in zip(targets, answers, strict=True):
        if isinstance(answer, ProbeOutcome):
            outcomes.append(answer)
        else:
            observability(DOMAIN).logger.error("probe failed", extra={"service_id": target.service_id}, exc_info=answer)
            outcomes.append(
                ProbeOutcome(
                    status=HealthStatus.UNHEALTHY,
                    checked_url=target.base_url,
                    error=f"the check itself failed: {type(answer).__name__}",
                )
            )
    return outcomes


def record_outcomes(
    repo: RegistryRepository,
    targets: Sequence[CheckTarget],
    outcomes: Sequence[ProbeOutcome],
    now: datetime,
    policy: HealthPolicy,
) -> int:
    """Store the checks, move each service to its new health and queue an event for each status
    that changed; answer how many changed."""
    records = []
    changes = 0
    for target, outcome in zip(targets, outcomes, strict=True):
        health = next_health(target.health, outcome, now, policy)
        records.append(CheckRecord(service_id=target.service_id, checked_at=now, outcome=outcome, health=health))
        if health.status is not target.health.status:
            changes += 1
            repo.add_event(
                ServiceHealthChanged(
                    service_id=target.service_id,
                    slug=target.slug,
                    service_name=target.name,
                    previous_status=target.health.status.value,
                    status=health.status.value,
                    checked_at=now,
                    response_time_ms=outcome.response_time_ms,
                    error=outcome.error,
                ),
                now,
            )
    repo.record_checks(records)
    return changes


def run_sweep(repository: RepositoryScope, policy: HealthPolicy, clock: Clock) -> SweepReport:
    """Check every service that is due, concurrently; record the results; deactivate services down
    too long; prune old history. The events queued go out when the results commit."""
    started = time.perf_counter()
    now = clock()
    with repository() as repo:
        targets = repo.claim_due(now, now + policy.claim_lease, policy.batch_limit)
    outcomes = asyncio.run(check_targets(targets, policy))
    checked_at = clock()
    with repository() as repo:
        changes = record_outcomes(repo, targets, outcomes, checked_at, policy)
        deactivated = repo.deactivate_unhealthy_since(
            checked_at - policy.deactivate_after,
            f"unhealthy for more than {policy.deactivate_after.days} days",
            checked_at,
        )
        for service in deactivated:
            repo.add_event(
                ServiceDeactivated(
                    service_id=str(service.id),
                    slug=service.slug,
                    service_name=service.name,
                    reason=service.deactivated_reason or "deactivated",
                ),
                checked_at,
            )
        repo.prune_history(checked_at - policy.history_retention)
    healthy = sum(1 for outcome in outcomes if outcome.status is HealthStatus.HEALTHY)
    return SweepReport(
        checked=len(outcomes),
        healthy=healthy,
        unhealthy=len(outcomes) - healthy,
        status_changes=changes,
        deactivated=len(deactivated),
        events_queued=changes + len(deactivated),
        wall_seconds=round(time.perf_counter() - started, 3),
    )


def check_now(repository: RepositoryScope, service_id: UUID, policy: HealthPolicy, clock: Clock) -> ServiceHealthReport:
    """Check one service at once, whatever its schedule, and record the result like a sweep would."""
    with repository() as repo:
        target = repo.check_target(str(service_id))
    if target is None:
        raise NotFoundError(f"no imputation service with id {service_id}")
    outcomes = asyncio.run(check_targets([target], policy))
    now = clock()
    with repository() as repo:
        record_outcomes(repo, [target], outcomes, now, policy)
        return health_report(repo, service_id, now)


def probe_connection(request: ConnectionTest, policy: HealthPolicy) -> ProbeOutcome:
    """Probe a URL as a service of the given type without storing anything."""

    async def probe() -> ProbeOutcome:
        async with probe_client(policy.check_timeout_seconds) as client:
            return await probe_service(
                client, request.api_type, request.base_url, policy.check_timeout_seconds, detailed=True
            )

    return asyncio.run(probe())


def health_report(repo: RegistryRepository, service_id: UUID, now: datetime) -> ServiceHealthReport:
    """A service's current health and uptime."""
    service = get_service(repo, service_id)
    return _report(service, repo.uptime(now, [str(service_id)]))


def health_history(repo: RegistryRepository, service_id: UUID, limit: int, before: datetime | None) -> HealthHistory:
    """Past checks of a service, newest first."""
    get_service(repo, service_id)
    return HealthHistory(service_id=service_id, items=repo.history(str(service_id), limit, before))


def health_overview(repo: RegistryRepository, now: datetime, api_type: ApiType | None = None) -> HealthOverview:
    """Every service's health and uptime, the failing ones first."""
    services = repo.services_matching(ServiceQuery(api_type=api_type, limit=OVERVIEW_LIMIT))
    uptime = repo.uptime(now)
    order = {HealthStatus.UNHEALTHY: 0, HealthStatus.UNKNOWN: 1, HealthStatus.HEALTHY: 2}
    reports = [
        _report(s, uptime)
        for s in sorted(services, key=lambda s: (not s.is_active, order[s.health.status], s.name.lower()))
    ]
    return HealthOverview(counts=repo.health_counts(), services=reports)


def _report(service: ImputationService, uptime: dict[str, Uptime]) -> ServiceHealthReport:
    return ServiceHealthReport(
        service_id=service.id,
        slug=service.slug,
        name=service.name,
        is_active=service.is_active,
        health=service.health,
        uptime=uptime.get(str(service.id), NO_UPTIME),
    )

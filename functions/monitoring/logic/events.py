"""The events the domain subscribes to, each folded into its aggregates in the event's own transaction
(the shared subscriber records it in the inbox there too, after `settle` writes the aggregates)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from fip_core.platform_events import (
    DomainEvent,
    JobStatusChanged,
    ServiceAtRisk,
    ServiceDeactivated,
    ServiceHealthChanged,
    ServicesChecked,
)
from fip_core.subscribers import Consumer, Delivery
from monitoring.dal.repository import MonitoringRepository
from monitoring.domain import OUTCOMES, JobFacts, ServiceFacts
from monitoring.logic import metrics, services
from monitoring.logic.histogram import RESPONSE_MS
from monitoring.logic.jobs import advance, contribution, difference, queue_seconds
from monitoring.logic.metrics import COUNT, SECONDS, Signals

_OUTCOME_METRICS = {
    "completed": metrics.JOBS_COMPLETED,
    "failed": metrics.JOBS_FAILED,
    "cancelled": metrics.JOBS_CANCELLED,
}


def hour_of(moment: datetime) -> datetime:
    """The hour a moment falls in."""
    return moment.replace(minute=0, second=0, microsecond=0)


class Ledger:
    """Folds delivered events into the aggregates, noting the metrics they make."""

    def __init__(self, signals: Signals | None = None) -> None:
        self.signals = signals or Signals()

    def consumers(self) -> Mapping[type[DomainEvent], Consumer[MonitoringRepository]]:
        """What each subscribed event is applied with."""
        return {
            JobStatusChanged: self.job_changed,
            ServicesChecked: self.services_checked,
            ServiceHealthChanged: self.health_changed,
            ServiceAtRisk: self.at_risk,
            ServiceDeactivated: self.deactivated,
        }

    @staticmethod
    def prepare(repo: MonitoringRepository, deliveries: Sequence[Delivery[Any]]) -> None:
        """Read the jobs and services a batch of events is about, in a few statements rather than one each."""
        jobs = [d.event.job_id for d in deliveries if isinstance(d.event, JobStatusChanged)]
        repo.jobs.preload(jobs)
        touched: set[str | None] = set()
        for delivery in deliveries:
            event = delivery.event
            if isinstance(event, ServicesChecked):
                touched.update(check.service_id for check in event.checks)
            else:  # every other event names one service (a job's, once routed)
                touched.add(event.service_id)
        repo.services.preload(service_id for service_id in touched if service_id is not None)

    @staticmethod
    def settle(repo: MonitoringRepository) -> None:
        """Write what the transaction's events folded (the subscriber calls it once per transaction)."""
        repo.settle()

    def job_changed(self, repo: MonitoringRepository, delivery: Delivery[JobStatusChanged]) -> None:
        """A job's transition: its facts move on, the aggregates by the difference it makes."""
        event = delivery.event
        before = repo.jobs.get(event.job_id)
        after = advance(before, event)
        if after == before:
            return
        counts_before, days_before = contribution(before)
        counts_after, days_after = contribution(after)
        repo.tally.add_counts(difference(counts_before, counts_after))
        repo.tally.add_days(difference(days_before, days_after))
        repo.jobs.put(after)
        if event.service_id is not None and event.service_name:
            self._name_if_unnamed(repo, event.service_id, event.service_name)
        self._job_signals(before, after)

    def _job_signals(self, before: JobFacts | None, after: JobFacts) -> None:
        if after.parent_id is not None:
            return  # a multi-service job is counted once, as its parent
        if before is None or before.status != after.status:
            if after.status == "submitted":
                self.signals.add(metrics.JOBS_SUBMITTED, COUNT, 1)
            if after.status in OUTCOMES:
                self.signals.add(_OUTCOME_METRICS[after.status], COUNT, 1)
            if after.status == "completed" and after.finished is not None:
                turnaround = max(0.0, (after.finished.at - after.created_at).total_seconds())
                self.signals.add(metrics.TURNAROUND_SECONDS, SECONDS, turnaround)
        waited = queue_seconds(after)
        if waited is not None and (before is None or queue_seconds(before) is None):
            self.signals.add(metrics.QUEUE_SECONDS, SECONDS, waited)

    def services_checked(self, repo: MonitoringRepository, delivery: Delivery[ServicesChecked]) -> None:
        """A round of checks: each counted in its service's hour, and the newest status kept."""
        failed = 0
        # services in one order whatever the round's: concurrent rounds lock their rows without deadlock
        for check in sorted(delivery.event.checks, key=lambda check: check.service_id):
            if check.status == "unknown":
                continue
            healthy = check.status == "healthy"
            # response times of healthy checks only: how fast a working service answers
            latency = check.response_time_ms if healthy else None
            bucket = RESPONSE_MS.bucket(latency) if latency is not None else None
            repo.tally.add_check(check.service_id, hour_of(check.checked_at), healthy, bucket)
            failed += 0 if healthy else 1
            service = repo.services.get(check.service_id) or services.unseen(check.service_id)
            self._put(repo, service, services.observed(service, check.status, check.checked_at))
        self.signals.add(metrics.SERVICE_CHECKS, COUNT, len(delivery.event.checks))
        self.signals.add(metrics.SERVICE_CHECKS_FAILED, COUNT, failed)

    def health_changed(self, repo: MonitoringRepository, delivery: Delivery[ServiceHealthChanged]) -> None:
        """A service's status changed: its names and newest status kept; a recovery ends a warning."""
        event = delivery.event
        before = repo.services.get(event.service_id)
        service = services.named(before or services.unseen(event.service_id), event.slug, event.service_name)
        self._put(repo, before, services.observed(service, event.status, event.checked_at))
        if event.status == "unhealthy" and event.previous_status != "unhealthy":
            self.signals.add(metrics.SERVICES_DOWN, COUNT, 1)
        if event.status == "healthy" and event.previous_status == "unhealthy":
            self.signals.add(metrics.SERVICES_RECOVERED, COUNT, 1)

    def at_risk(self, repo: MonitoringRepository, delivery: Delivery[ServiceAtRisk]) -> None:
        """A service's deactivation is near: kept until it recovers or is deactivated."""
        event = delivery.event
        before = repo.services.get(event.service_id)
        service = services.named(before or services.unseen(event.service_id), event.slug, event.service_name)
        after = services.at_risk(service, event.unhealthy_since, event.deactivates_at)
        self._put(repo, before, after)
        if after.at_risk_since == event.unhealthy_since:
            self.signals.add(metrics.SERVICES_AT_RISK, COUNT, 1)

    def deactivated(self, repo: MonitoringRepository, delivery: Delivery[ServiceDeactivated]) -> None:
        """A service was taken out of use (when the registry committed it)."""
        event = delivery.event
        before = repo.services.get(event.service_id)
        service = services.named(before or services.unseen(event.service_id), event.slug, event.service_name)
        self._put(repo, before, services.deactivated(service, delivery.metadata.occurred_at))
        self.signals.add(metrics.SERVICES_DEACTIVATED, COUNT, 1)

    def _name_if_unnamed(self, repo: MonitoringRepository, service_id: str, name: str) -> None:
        """A job's service name, for a service the registry's events have not named yet."""
        before = repo.services.get(service_id)
        if before is None or not before.name:
            self._put(repo, before, services.named(before or services.unseen(service_id), None, name))

    @staticmethod
    def _put(repo: MonitoringRepository, before: ServiceFacts | None, after: ServiceFacts) -> None:
        if after != before:
            repo.services.put(after)

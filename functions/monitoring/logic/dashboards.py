"""The dashboards, read from the aggregates: a caller's own jobs, the platform's, the services'."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from monitoring.dal.repository import MonitoringRepository
from monitoring.domain import COUNT_BUCKET, JOB_STATUSES, Metric, Scope
from monitoring.logic.events import hour_of
from monitoring.logic.histogram import DURATION_S, RESPONSE_MS, LogBuckets
from monitoring.logic.ports import MonitoringAdapters
from monitoring.models.dashboards import (
    AtRiskService,
    AtRiskServices,
    DayPoint,
    HourPoint,
    JobFigures,
    Percentiles,
    PlatformDashboard,
    ServiceJobCounts,
    ServicesDashboard,
    ServiceView,
    UptimeView,
    UserJobCounts,
)


def own_dashboard(adapters: MonitoringAdapters, user_id: str, days: int) -> JobFigures:
    """The caller's own jobs: nobody else's figures are read."""
    with adapters.reading() as repo:
        return _figures(repo, Scope.USER, user_id, days, adapters.clock().date())


def platform_dashboard(adapters: MonitoringAdapters, days: int, users: int) -> PlatformDashboard:
    """Every job of the platform, by service and by user."""
    with adapters.reading() as repo:
        figures = _figures(repo, Scope.PLATFORM, "", days, adapters.clock().date())
        by_service, _ = repo.aggregates.counts_by_key(Scope.SERVICE, limit=10_000)
        by_user, users_total = repo.aggregates.counts_by_key(Scope.USER, limit=users)
        names = {service.service_id: service.name for service in repo.services.every()}
    return PlatformDashboard(
        **figures.model_dump(),
        by_service=[
            ServiceJobCounts(service_id=key, service_name=names.get(key), **_counts(counts))
            for key, counts in _busiest(by_service)
        ],
        by_user=[UserJobCounts(user_id=key, **_counts(counts)) for key, counts in _busiest(by_user)],
        users_total=users_total,
    )


def services_dashboard(adapters: MonitoringAdapters, hours: int) -> ServicesDashboard:
    """Every service's uptime over 24 hours, 7 and 30 days, and its checks hour by hour."""
    now_hour = hour_of(adapters.clock())
    since = now_hour - timedelta(hours=hours - 1)
    with adapters.reading() as repo:
        known = repo.services.every()
        uptime = repo.aggregates.uptime(now_hour)
        hourly = {(h.service_id, h.hour): h for h in repo.aggregates.hours(since)}
        latency: defaultdict[tuple[str, datetime], Counter[int]] = defaultdict(Counter)
        for service_id, hour, bucket, count in repo.aggregates.latency(since):
            latency[(service_id, hour)][bucket] += count
    moments = [since + timedelta(hours=n) for n in range(hours)]
    views = []
    for service in known:
        found = uptime.get(service.service_id)
        merged: Counter[int] = Counter()
        series = []
        for hour in moments:
            histogram = latency.get((service.service_id, hour), Counter())
            merged.update(histogram)
            checked = hourly.get((service.service_id, hour))
            series.append(
                HourPoint(
                    hour=hour,
                    checks=checked.checks if checked else 0,
                    uptime=_percent(checked.healthy, checked.checks) if checked else None,
                    p50_ms=RESPONSE_MS.percentile(histogram, 0.50),
                    p95_ms=RESPONSE_MS.percentile(histogram, 0.95),
                )
            )
        views.append(
            ServiceView(
                service_id=service.service_id,
                slug=service.slug,
                name=service.name,
                status=service.status,
                active=service.active,
                uptime=UptimeView(
                    last_24h=_percent(found.healthy[0], found.checks[0]) if found else None,
                    last_7d=_percent(found.healthy[1], found.checks[1]) if found else None,
                    last_30d=_percent(found.healthy[2], found.checks[2]) if found else None,
                ),
                response_time_ms=_percentiles(RESPONSE_MS, merged),
                series=series,
            )
        )
    return ServicesDashboard(window_hours=hours, services=views)


def services_at_risk(adapters: MonitoringAdapters) -> AtRiskServices:
    """The services the registry warned it will deactivate soon, still unhealthy as far as is known."""
    with adapters.reading() as repo:
        found = repo.services.at_risk()
    return AtRiskServices(
        services=[
            AtRiskService(
                service_id=s.service_id,
                slug=s.slug,
                name=s.name,
                unhealthy_since=s.at_risk_since,
                deactivates_at=s.deactivates_at,
            )
            for s in found
            if s.at_risk_since is not None and s.deactivates_at is not None
        ]
    )


def _figures(repo: MonitoringRepository, scope: Scope, key: str, days: int, today: date) -> JobFigures:
    counts = repo.aggregates.counts(scope, key)
    first = today - timedelta(days=days - 1)
    ended: defaultdict[date, Counter[Metric]] = defaultdict(Counter)
    turnaround: Counter[int] = Counter()
    queue: Counter[int] = Counter()
    for day, metric, bucket, count in repo.aggregates.days(scope, key, first):
        if bucket == COUNT_BUCKET:
            ended[day][metric] += count
        elif metric is Metric.TURNAROUND:
            turnaround[bucket] += count
        elif metric is Metric.QUEUE:
            queue[bucket] += count
    completed, failed = counts.get("completed", 0), counts.get("failed", 0)
    return JobFigures(
        **_counts(counts),
        success_rate=round(completed / (completed + failed), 4) if completed + failed else None,
        window_days=days,
        turnaround_seconds=_percentiles(DURATION_S, turnaround),
        queue_seconds=_percentiles(DURATION_S, queue),
        series=[
            DayPoint(
                day=day,
                completed=ended[day][Metric.COMPLETED],
                failed=ended[day][Metric.FAILED],
                cancelled=ended[day][Metric.CANCELLED],
            )
            for day in (first + timedelta(days=n) for n in range(days))
        ],
    )


def _counts(counts: dict[str, int]) -> dict[str, object]:
    by_status = {status: counts.get(status, 0) for status in JOB_STATUSES}
    return {"by_status": by_status, "total": sum(by_status.values())}


def _busiest(found: dict[str, dict[str, int]]) -> list[tuple[str, dict[str, int]]]:
    return sorted(found.items(), key=lambda item: (-sum(item[1].values()), item[0]))


def _percentiles(buckets: LogBuckets, histogram: Counter[int]) -> Percentiles:
    return Percentiles(
        count=sum(histogram.values()),
        p50=buckets.percentile(histogram, 0.50),
        p95=buckets.percentile(histogram, 0.95),
    )


def _percent(healthy: int, checks: int) -> float | None:
    return round(100.0 * healthy / checks, 2) if checks else None

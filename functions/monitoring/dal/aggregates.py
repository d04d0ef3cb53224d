"""The aggregates the dashboards read: counts added to by events, read by scope and time window.

Events' changes are folded in memory (`Tally`) and written when the transaction settles, one upsert
statement per table adding each key's change to its count, whatever the number of events."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from monitoring.dal.tables import JobCountRow, JobDayRow, ServiceHourRow, ServiceLatencyRow
from monitoring.domain import CountKey, DayKey, HourKey, LatencyKey, Metric, Scope, ServiceHour, Uptime

_COUNTS = cast(Table, JobCountRow.__table__)
_DAYS = cast(Table, JobDayRow.__table__)
_HOURS = cast(Table, ServiceHourRow.__table__)
_LATENCY = cast(Table, ServiceLatencyRow.__table__)


class Tally:
    """Changes to the aggregates, folded until `flush` writes them."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.counts: Counter[CountKey] = Counter()
        self.days: Counter[DayKey] = Counter()
        self.checks: Counter[HourKey] = Counter()
        self.healthy: Counter[HourKey] = Counter()
        self.latency: Counter[LatencyKey] = Counter()

    def clear(self) -> None:
        """Forget what was folded."""
        for folded in (self.counts, self.days, self.checks, self.healthy, self.latency):
            folded.clear()

    def add_counts(self, changes: Mapping[CountKey, int]) -> None:
        """Jobs in and out of statuses."""
        self.counts.update(changes)

    def add_days(self, changes: Mapping[DayKey, int]) -> None:
        """Jobs in and out of days' figures."""
        self.days.update(changes)

    def add_check(self, service_id: str, hour: datetime, healthy: bool, bucket: int | None) -> None:
        """One check of a service in an hour, with its response time's bucket if it has one."""
        self.checks[(service_id, hour)] += 1
        self.healthy[(service_id, hour)] += 1 if healthy else 0
        if bucket is not None:
            self.latency[(service_id, hour, bucket)] += 1

    def flush(self) -> None:
        """Write what was folded, and start again."""
        dialect = self.session.connection().dialect.name
        counts = [
            {"scope": s.value, "scope_key": k, "status": st, "count": n} for (s, k, st), n in self.counts.items() if n
        ]
        days = [
            {"scope": s.value, "scope_key": k, "day": d, "metric": m.value, "bucket": b, "count": n}
            for (s, k, d, m, b), n in self.days.items()
            if n
        ]
        hours = [
            {"service_id": sid, "hour": hour, "checks": n, "healthy": self.healthy[(sid, hour)]}
            for (sid, hour), n in self.checks.items()
        ]
        latency = [
            {"service_id": sid, "hour": hour, "bucket": b, "count": n} for (sid, hour, b), n in self.latency.items()
        ]
        for table, rows, added in (
            (_COUNTS, counts, ("count",)),
            (_DAYS, days, ("count",)),
            (_HOURS, hours, ("checks", "healthy")),
            (_LATENCY, latency, ("count",)),
        ):
            if rows:
                # in key order: concurrent transactions lock the rows they add to in the same order, so
                # they wait for each other rather than deadlock
                keys = [column.name for column in table.primary_key.columns]
                rows.sort(key=lambda row: tuple(str(row[key]) for key in keys))
                self.session.execute(_adding(dialect, table, added), rows)
        self.clear()


def _adding(dialect: str, table: Table, added: tuple[str, ...]) -> Any:
    """INSERT ... ON CONFLICT (the key) DO UPDATE SET column = column + the inserted value."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table)
    keys = [column.name for column in table.primary_key.columns]
    return statement.on_conflict_do_update(
        index_elements=keys, set_={name: table.c[name] + statement.excluded[name] for name in added}
    )


class Aggregates:
    """Reads of the aggregates, for the dashboards."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def counts(self, scope: Scope, key: str) -> dict[str, int]:
        """How many jobs of a scope are in each status now."""
        rows = self.session.execute(
            select(JobCountRow.status, JobCountRow.count).where(
                JobCountRow.scope == scope.value, JobCountRow.scope_key == key
            )
        )
        return {str(status): int(count) for status, count in rows}

    def counts_by_key(self, scope: Scope, limit: int) -> tuple[dict[str, dict[str, int]], int]:
        """The counts by status of the `limit` keys of a scope with the most jobs, and how many keys it has."""
        total = func.sum(JobCountRow.count)
        top = (
            select(JobCountRow.scope_key)
            .where(JobCountRow.scope == scope.value)
            .group_by(JobCountRow.scope_key)
            .having(total > 0)
            .order_by(total.desc(), JobCountRow.scope_key)
            .limit(limit)
        )
        keys = list(self.session.scalars(top))
        how_many = self.session.scalar(
            select(func.count()).select_from(
                select(JobCountRow.scope_key)
                .where(JobCountRow.scope == scope.value)
                .group_by(JobCountRow.scope_key)
                .having(total > 0)
                .subquery()
            )
        )
        found: dict[str, dict[str, int]] = {key: {} for key in keys}
        if keys:
            rows = self.session.execute(
                select(JobCountRow.scope_key, JobCountRow.status, JobCountRow.count).where(
                    JobCountRow.scope == scope.value, JobCountRow.scope_key.in_(keys)
                )
            )
            for key, status, count in rows:
                found[key][status] = count
        return found, int(how_many or 0)

    def days(self, scope: Scope, key: str, since: date) -> list[tuple[date, Metric, int, int]]:
        """A scope's days' figures from a day on: (day, metric, bucket, count)."""
        rows = self.session.execute(
            select(JobDayRow.day, JobDayRow.metric, JobDayRow.bucket, JobDayRow.count).where(
                JobDayRow.scope == scope.value, JobDayRow.scope_key == key, JobDayRow.day >= since
            )
        )
        return [(day, Metric(metric), bucket, count) for day, metric, bucket, count in rows]

    def uptime(self, now_hour: datetime) -> dict[str, Uptime]:
        """Each service's checks and healthy checks over the last 24 hours, 7 and 30 days (whole hours,
        the current one included), summed by the database over at most 720 rows a service."""
        windows = [now_hour - timedelta(hours=hours - 1) for hours in (24, 24 * 7, 24 * 30)]
        columns: list[Any] = [ServiceHourRow.service_id]
        for since in windows:
            inside = ServiceHourRow.hour >= since
            columns += [
                func.sum(case((inside, ServiceHourRow.checks), else_=0)),
                func.sum(case((inside, ServiceHourRow.healthy), else_=0)),
            ]
        rows = self.session.execute(
            select(*columns).where(ServiceHourRow.hour >= windows[-1]).group_by(ServiceHourRow.service_id)
        )
        return {
            row[0]: Uptime(
                checks=(int(row[1]), int(row[3]), int(row[5])), healthy=(int(row[2]), int(row[4]), int(row[6]))
            )
            for row in rows
        }

    def hours(self, since: datetime) -> list[ServiceHour]:
        """Every service's hours from an hour on."""
        rows = self.session.execute(
            select(ServiceHourRow.service_id, ServiceHourRow.hour, ServiceHourRow.checks, ServiceHourRow.healthy).where(
                ServiceHourRow.hour >= since
            )
        )
        return [ServiceHour(*row) for row in rows]

    def latency(self, since: datetime) -> Iterable[tuple[str, datetime, int, int]]:
        """Every service's response-time histograms by hour from an hour on: (service, hour, bucket, count)."""
        rows = self.session.execute(
            select(
                ServiceLatencyRow.service_id, ServiceLatencyRow.hour, ServiceLatencyRow.bucket, ServiceLatencyRow.count
            ).where(ServiceLatencyRow.hour >= since)
        )
        return [(service_id, hour, bucket, count) for service_id, hour, bucket, count in rows]

    def prune(self, hours_before: datetime, days_before: date) -> int:
        """Forget services' hours and jobs' days older than these; answer how many rows went."""
        removed = 0
        for statement in (
            delete(ServiceHourRow).where(ServiceHourRow.hour < hours_before),
            delete(ServiceLatencyRow).where(ServiceLatencyRow.hour < hours_before),
            delete(JobDayRow).where(JobDayRow.day < days_before),
        ):
            removed += int(getattr(self.session.execute(statement), "rowcount", 0) or 0)
        return removed

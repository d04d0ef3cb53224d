"""Data access of service health: claiming due services, recording checks, history and uptime."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, case, delete, func, insert, or_, select, update

from fip_core.repository import DomainRepository
from registry.dal.services import HEALTH_COLUMNS, affected, health_columns, health_state, service_record
from registry.dal.tables import HealthCheckRow, ServiceRow
from registry.domain import CheckResult, CheckTarget, PastCheck, RecordedChecks, ServiceRecord, UptimeShares
from registry.models.common import ApiType, HealthStatus

_SERVICES = cast(Table, ServiceRow.__table__)
_CHECKS = cast(Table, HealthCheckRow.__table__)
_TARGET_COLUMNS = (
    ServiceRow.id,
    ServiceRow.slug,
    ServiceRow.name,
    ServiceRow.api_type,
    ServiceRow.base_url,
    *(getattr(ServiceRow, column) for column in HEALTH_COLUMNS),
)
# one statement executed for many rows; bound names must differ from the column names they set
_SET_HEALTH = (
    update(_SERVICES)
    .where(_SERVICES.c.id == bindparam("b_id"))
    .values({column: bindparam(f"b_{column}") for column in HEALTH_COLUMNS})
)
_SET_HEALTH_AND_DETAILS = _SET_HEALTH.values(probe_details=bindparam("b_probe_details"))


class HealthRepository(DomainRepository):
    """Reads and writes the services' health and their check history inside the caller's transaction."""

    def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[CheckTarget]:
        """Take the active services due for a check, longest due first, pushing their next check to
        the end of the lease so that an overlapping sweep does not check them too."""
        due = and_(
            ServiceRow.is_active.is_(True), or_(ServiceRow.next_check_at.is_(None), ServiceRow.next_check_at <= now)
        )
        ids = self.session.scalars(
            select(ServiceRow.id)
            .where(due)
            .order_by(ServiceRow.next_check_at.is_not(None), ServiceRow.next_check_at, ServiceRow.id)
            .limit(limit)
        ).all()
        if not ids:
            return []
        claimed = self.session.execute(
            update(ServiceRow)
            .where(ServiceRow.id.in_(ids), due)
            .values(next_check_at=lease_until)
            .returning(*_TARGET_COLUMNS),
            execution_options={"synchronize_session": False},
        ).all()
        return [_target(row) for row in claimed]

    def target(self, service_id: str) -> CheckTarget | None:
        """One service as a check target, whether due or not (a check asked for by hand)."""
        row = self.session.execute(select(*_TARGET_COLUMNS).where(ServiceRow.id == service_id)).first()
        return _target(row) if row else None

    def record(self, results: list[CheckResult]) -> RecordedChecks:
        """Append the checks to the history and leave each service in its new health, in a few
        statements whatever the number of checks. A check of a service deleted or given another URL
        or API type since it was claimed is dropped: it says nothing about the service as it is now."""
        if not results:
            return RecordedChecks()
        # locked until the transaction ends, so that a delete cannot slip in between check and insert
        current = {
            row.id: (row.base_url, row.api_type)
            for row in self.session.execute(
                select(ServiceRow.id, ServiceRow.base_url, ServiceRow.api_type)
                .where(ServiceRow.id.in_([result.target.service_id for result in results]))
                .with_for_update()
            )
        }
        kept: list[CheckResult] = []
        dropped: list[CheckResult] = []
        for result in results:
            target = result.target
            unchanged = current.get(target.service_id) == (target.base_url, target.api_type.value)
            (kept if unchanged else dropped).append(result)
        if not kept:
            return RecordedChecks(kept=kept, dropped=dropped)
        self.session.execute(insert(_CHECKS), [_check_values(result) for result in kept])
        reported, others = [], []
        for result in kept:
            details = result.outcome.details
            if result.outcome.status is HealthStatus.HEALTHY and details is not None:
                # a healthy service also keeps what its probe reported (the GA4GH listing reads it)
                reported.append({**_health_values(result), "b_probe_details": details.model_dump(mode="json")})
            else:
                others.append(result)
        if reported:
            self.session.execute(_SET_HEALTH_AND_DETAILS, reported)
        if others:
            self.session.execute(_SET_HEALTH, [_health_values(r) for r in others])
        return RecordedChecks(kept=kept, dropped=dropped)

    def uptime(self, now: datetime, service_ids: list[str] | None = None) -> dict[str, UptimeShares]:
        """Uptime over the last 24 hours, 7 days and 30 days, per service that was checked."""
        windows = (now - timedelta(days=1), now - timedelta(days=7), now - timedelta(days=30))
        columns: list[Any] = [HealthCheckRow.service_id]
        for since in windows:
            in_window = HealthCheckRow.checked_at >= since
            columns.append(
                func.sum(case((and_(in_window, HealthCheckRow.status == HealthStatus.HEALTHY.value), 1), else_=0))
            )
            columns.append(func.sum(case((in_window, 1), else_=0)))
        statement = select(*columns).where(HealthCheckRow.checked_at >= windows[-1]).group_by(HealthCheckRow.service_id)
        if service_ids is not None:
            statement = statement.where(HealthCheckRow.service_id.in_(service_ids))
        return {
            row[0]: UptimeShares(_percent(row[1], row[2]), _percent(row[3], row[4]), _percent(row[5], row[6]))
            for row in self.session.execute(statement)
        }

    def history(self, service_id: str, limit: int, before: datetime | None) -> list[PastCheck]:
        """Past checks of a service, newest first."""
        statement = select(HealthCheckRow).where(HealthCheckRow.service_id == service_id)
        if before is not None:
            statement = statement.where(HealthCheckRow.checked_at < before)
        rows = self.session.scalars(
            statement.order_by(HealthCheckRow.checked_at.desc(), HealthCheckRow.id.desc()).limit(limit)
        )
        return [
            PastCheck(
                checked_at=row.checked_at,
                status=HealthStatus(row.status),
                response_time_ms=row.response_time_ms,
                http_status=row.http_status,
                error=row.error,
                checked_url=row.checked_url,
            )
            for row in rows
        ]

    def deactivate_unhealthy_since(self, cutoff: datetime, reason: str, now: datetime) -> list[ServiceRecord]:
        """Deactivate the active services unhealthy since before the cutoff; answer them."""
        rows = self.session.scalars(
            select(ServiceRow).where(
                ServiceRow.is_active.is_(True),
                ServiceRow.health_status == HealthStatus.UNHEALTHY.value,
                ServiceRow.unhealthy_since <= cutoff,
            )
        ).all()
        for row in rows:
            row.is_active = False
            row.deactivated_reason = reason
            row.updated_at = now
        self._flush()
        return [service_record(row) for row in rows]

    def mark_at_risk(self, cutoff: datetime) -> list[ServiceRecord]:
        """The active services unhealthy since before the cutoff that were not yet found at risk in
        this spell of ill health; each is marked for its spell, so that it is answered once per spell."""
        rows = self.session.scalars(
            select(ServiceRow)
            .where(
                ServiceRow.is_active.is_(True),
                ServiceRow.health_status == HealthStatus.UNHEALTHY.value,
                ServiceRow.unhealthy_since <= cutoff,
                or_(ServiceRow.at_risk_spell.is_(None), ServiceRow.at_risk_spell != ServiceRow.unhealthy_since),
            )
            .order_by(ServiceRow.unhealthy_since, ServiceRow.id)
            .with_for_update()
        ).all()
        for row in rows:
            row.at_risk_spell = row.unhealthy_since
        self._flush()
        return [service_record(row) for row in rows]

    def prune(self, before: datetime) -> int:
        """Delete checks older than the retention period; answer how many went."""
        return affected(self.session.execute(delete(HealthCheckRow).where(HealthCheckRow.checked_at < before)))

    def counts(self) -> dict[HealthStatus, int]:
        """How many active services are in each health status."""
        counts = dict.fromkeys(HealthStatus, 0)
        rows = self.session.execute(
            select(ServiceRow.health_status, func.count())
            .where(ServiceRow.is_active.is_(True))
            .group_by(ServiceRow.health_status)
        )
        for status, count in rows:
            counts[HealthStatus(status)] = count
        return counts


def _check_values(result: CheckResult) -> dict[str, Any]:
    outcome = result.outcome
    return {
        "service_id": result.target.service_id,
        "checked_at": result.checked_at,
        "status": outcome.status.value,
        "response_time_ms": outcome.response_time_ms,
        "http_status": outcome.http_status,
        "error": outcome.error,
        "checked_url": outcome.checked_url,
    }


def _health_values(result: CheckResult) -> dict[str, Any]:
    values = {f"b_{column}": value for column, value in health_columns(result.health).items()}
    values["b_id"] = result.target.service_id
    return values


def _target(row: Any) -> CheckTarget:
    return CheckTarget(
        service_id=row.id,
        slug=row.slug,
        name=row.name,
        api_type=ApiType(row.api_type),
        base_url=row.base_url,
        health=health_state(row._mapping),  # noqa: SLF001 - a Row's public mapping of its columns
    )


def _percent(healthy: int | None, total: int | None) -> float | None:
    if not total:
        return None
    return round(100.0 * (healthy or 0) / total, 2)

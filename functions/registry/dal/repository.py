"""The registry repository: every query the registry makes, behind one small class."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from typing import cast as typing_cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    String,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    true,
    update,
)

from fip_core.repository import DomainRepository
from registry.dal.tables import HealthCheckRow, PanelRow, ServiceRow
from registry.models.common import HealthStatus
from registry.models.health import HealthCheck, ProbeOutcome, Uptime
from registry.models.panels import PanelCreate, PanelQuery, ReferencePanel
from registry.models.services import ImputationService, Location, ServiceCreate, ServiceHealth, ServiceQuery

_LOCATION_COLUMNS = ("country", "city", "latitude", "longitude")


@dataclass(frozen=True)
class CheckTarget:
    """A service to probe: what the sweep needs and nothing more."""

    service_id: str
    slug: str
    name: str
    api_type: str
    base_url: str
    health: ServiceHealth


@dataclass(frozen=True)
class CheckRecord:
    """A finished check and the health it leaves the service in."""

    service_id: str
    checked_at: datetime
    outcome: ProbeOutcome
    health: ServiceHealth


class RegistryRepository(DomainRepository):
    """Reads and writes the registry's tables inside one transaction (the caller's session)."""

    # --- imputation services -------------------------------------------------------------------

    def add_service(self, data: ServiceCreate, now: datetime) -> ImputationService:
        """Store a new service, unknown health, due for its first check at once."""
        values = data.model_dump(mode="json", exclude={"location"})
        row = ServiceRow(
            id=str(uuid.uuid4()),
            **values,
            **data.location.model_dump(),
            deactivated_reason=None,
            created_at=now,
            updated_at=now,
            health_status=HealthStatus.UNKNOWN.value,
            consecutive_failures=0,
            next_check_at=now,
        )
        self.session.add(row)
        self._flush()
        return _service(row)

    def get_service(self, service_id: str) -> ImputationService | None:
        """One service, or None."""
        row = self.session.get(ServiceRow, service_id)
        return _service(row) if row else None

    def find_services(self, query: ServiceQuery) -> tuple[list[ImputationService], int]:
        """A page of services matching the filters, by name, and how many match in all."""
        total = self.session.scalar(select(func.count()).select_from(ServiceRow).where(_matching(query))) or 0
        return self.services_matching(query), total

    def services_matching(self, query: ServiceQuery) -> list[ImputationService]:
        """A page of services matching the filters, by name."""
        rows = self.session.scalars(
            select(ServiceRow)
            .where(_matching(query))
            .order_by(func.lower(ServiceRow.name), ServiceRow.id)
            .limit(query.limit)
            .offset(query.offset)
        ).all()
        return [_service(row) for row in rows]

    def update_service(self, service_id: str, changes: dict[str, Any], now: datetime) -> ImputationService | None:
        """Apply changes to a service; answer it as it is now, or None if it does not exist."""
        row = self.session.get(ServiceRow, service_id)
        if row is None:
            return None
        location = changes.pop("location", None)
        if location is not None:
            changes.update({column: location.get(column) for column in _LOCATION_COLUMNS})
        if changes.get("is_active") is True and not row.is_active:
            # a reactivated service starts from a clean slate and is checked at once
            changes.update(deactivated_reason=None, next_check_at=now, consecutive_failures=0)
        if "base_url" in changes and changes["base_url"] != row.base_url:
            changes.update(next_check_at=now, health_status=HealthStatus.UNKNOWN.value, probe_details=None)
        for key, value in changes.items():
            setattr(row, key, value)
        row.updated_at = now
        self._flush()
        return _service(row)

    def delete_service(self, service_id: str) -> bool:
        """Remove a service with its panels and history (their foreign keys cascade); answer whether it existed."""
        return _affected(self.session.execute(delete(ServiceRow).where(ServiceRow.id == service_id))) > 0

    def active_services(self) -> list[tuple[ImputationService, dict[str, Any] | None]]:
        """Active services with what their last successful probe said about them."""
        rows = self.session.scalars(
            select(ServiceRow).where(ServiceRow.is_active.is_(True)).order_by(ServiceRow.slug)
        ).all()
        return [(_service(row), row.probe_details) for row in rows]

    def service_by_slug(self, slug: str) -> tuple[ImputationService, dict[str, Any] | None] | None:
        """One service by slug with its last probe details, or None."""
        row = self.session.scalar(select(ServiceRow).where(ServiceRow.slug == slug))
        return (_service(row), row.probe_details) if row else None

    # --- reference panels ----------------------------------------------------------------------

    def add_panel(self, service_id: str, data: PanelCreate, now: datetime) -> ReferencePanel:
        """Store a new panel of a service."""
        row = PanelRow(
            id=str(uuid.uuid4()), service_id=service_id, **data.model_dump(mode="json"), created_at=now, updated_at=now
        )
        self.session.add(row)
        self._flush()
        return _panel(row)

    def get_panel(self, service_id: str, panel_id: str) -> ReferencePanel | None:
        """One panel of one service, or None."""
        row = self.session.get(PanelRow, panel_id)
        return _panel(row) if row and row.service_id == service_id else None

    def find_panels(self, query: PanelQuery) -> list[ReferencePanel]:
        """Panels matching the filters, grouped by service, oldest first."""
        statement = select(PanelRow)
        if query.service_id:
            statement = statement.where(PanelRow.service_id == str(query.service_id))
        if query.build:
            statement = statement.where(PanelRow.build == query.build.value)
        if query.available is not None:
            statement = statement.where(PanelRow.is_available.is_(query.available))
        panels = [
            _panel(row)
            for row in self.session.scalars(statement.order_by(PanelRow.service_id, PanelRow.created_at, PanelRow.id))
        ]
        if query.population:
            wanted = query.population.lower()
            panels = [p for p in panels if wanted in (population.lower() for population in p.populations)]
        return panels

    def update_panel(
        self, service_id: str, panel_id: str, changes: dict[str, Any], now: datetime
    ) -> ReferencePanel | None:
        """Apply changes to a panel; answer it as it is now, or None if it does not exist."""
        row = self.session.get(PanelRow, panel_id)
        if row is None or row.service_id != service_id:
            return None
        for key, value in changes.items():
            setattr(row, key, value)
        row.updated_at = now
        self._flush()
        return _panel(row)

    def delete_panel(self, service_id: str, panel_id: str) -> bool:
        """Remove a panel; answer whether it existed."""
        result = self.session.execute(
            delete(PanelRow).where(PanelRow.id == panel_id, PanelRow.service_id == service_id)
        )
        return _affected(result) > 0

    # --- health ----------------------------------------------------------------------------------

    def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[CheckTarget]:
        """Take the active services due for a check, pushing their next check to the end of the lease
        so that an overlapping sweep does not check them too."""
        due = and_(
            ServiceRow.is_active.is_(True), or_(ServiceRow.next_check_at.is_(None), ServiceRow.next_check_at <= now)
        )
        ids = self.session.scalars(
            select(ServiceRow.id)
            .where(due)
            .order_by(ServiceRow.next_check_at.is_not(None), ServiceRow.next_check_at)
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

    def check_target(self, service_id: str) -> CheckTarget | None:
        """One service as a check target, whether due or not (a check asked for by hand)."""
        row = self.session.execute(select(*_TARGET_COLUMNS).where(ServiceRow.id == service_id)).first()
        return _target(row) if row else None

    def record_checks(self, records: list[CheckRecord]) -> None:
        """Append the checks to the history and leave each service in its new health."""
        if not records:
            return
        self.session.execute(
            insert(HealthCheckRow),
            [
                {
                    "service_id": r.service_id,
                    "checked_at": r.checked_at,
                    "status": r.outcome.status.value,
                    "response_time_ms": r.outcome.response_time_ms,
                    "http_status": r.outcome.http_status,
                    "error": r.outcome.error,
                    "checked_url": r.outcome.checked_url,
                }
                for r in records
            ],
        )
        # healthy services also keep what their probe reported; listed first, so that the rows with
        # and without probe_details make two batched statements rather than one per row
        updates = sorted((_health_values(r) for r in records), key=lambda values: "probe_details" not in values)
        self.session.execute(update(ServiceRow), updates)

    def uptime(self, now: datetime, service_ids: list[str] | None = None) -> dict[str, Uptime]:
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
        result = {}
        for row in self.session.execute(statement):
            shares = [_percent(row[i], row[i + 1]) for i in (1, 3, 5)]
            result[row[0]] = Uptime(last_24h=shares[0], last_7d=shares[1], last_30d=shares[2])
        return result

    def history(self, service_id: str, limit: int, before: datetime | None) -> list[HealthCheck]:
        """Past checks of a service, newest first."""
        statement = select(HealthCheckRow).where(HealthCheckRow.service_id == service_id)
        if before is not None:
            statement = statement.where(HealthCheckRow.checked_at < before)
        rows = self.session.scalars(
            statement.order_by(HealthCheckRow.checked_at.desc(), HealthCheckRow.id.desc()).limit(limit)
        )
        return [
            HealthCheck(
                checked_at=row.checked_at,
                status=HealthStatus(row.status),
                response_time_ms=row.response_time_ms,
                http_status=row.http_status,
                error=row.error,
                checked_url=row.checked_url,
            )
            for row in rows
        ]

    def deactivate_unhealthy_since(self, cutoff: datetime, reason: str, now: datetime) -> list[ImputationService]:
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
        return [_service(row) for row in rows]

    def prune_history(self, before: datetime) -> int:
        """Delete checks older than the retention period; answer how many went."""
        result = self.session.execute(delete(HealthCheckRow).where(HealthCheckRow.checked_at < before))
        return _affected(result)

    def health_counts(self) -> dict[HealthStatus, int]:
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


def _health_values(record: CheckRecord) -> dict[str, Any]:
    health = record.health
    values: dict[str, Any] = {
        "id": record.service_id,
        "health_status": health.status.value,
        "response_time_ms": health.response_time_ms,
        "last_checked_at": health.last_checked_at,
        "next_check_at": health.next_check_at,
        "consecutive_failures": health.consecutive_failures,
        "last_error": health.last_error,
        "unhealthy_since": health.unhealthy_since,
    }
    if record.outcome.status is HealthStatus.HEALTHY:
        values["probe_details"] = record.outcome.details
    return values


def _matching(query: ServiceQuery) -> ColumnElement[bool]:
    """The services a query's filters select (its paging aside)."""
    conditions: list[Any] = []
    if query.q:
        text = query.q.lower()
        columns = (ServiceRow.name, ServiceRow.slug, ServiceRow.description, ServiceRow.institution)
        conditions.append(or_(*(func.lower(column).contains(text, autoescape=True) for column in columns)))
    if query.api_type:
        conditions.append(ServiceRow.api_type == query.api_type.value)
    if query.is_active is not None:
        conditions.append(ServiceRow.is_active.is_(query.is_active))
    if query.health:
        conditions.append(ServiceRow.health_status == query.health.value)
    if query.build:
        # builds are a closed set of plain words, so their JSON text can be matched safely
        conditions.append(cast(ServiceRow.supported_builds, String).like(f'%"{query.build.value}"%'))
    if query.country:
        conditions.append(ServiceRow.country == query.country.upper())
    return and_(true(), *conditions)


_TARGET_COLUMNS = (
    ServiceRow.id,
    ServiceRow.slug,
    ServiceRow.name,
    ServiceRow.api_type,
    ServiceRow.base_url,
    ServiceRow.health_status,
    ServiceRow.response_time_ms,
    ServiceRow.last_checked_at,
    ServiceRow.next_check_at,
    ServiceRow.consecutive_failures,
    ServiceRow.last_error,
    ServiceRow.unhealthy_since,
)


def _target(row: Any) -> CheckTarget:
    return CheckTarget(
        service_id=row.id,
        slug=row.slug,
        name=row.name,
        api_type=row.api_type,
        base_url=row.base_url,
        health=_health(row),
    )


def _affected(result: Any) -> int:
    return int(typing_cast(CursorResult[Any], result).rowcount)


def _health(row: Any) -> ServiceHealth:
    return ServiceHealth(
        status=HealthStatus(row.health_status),
        response_time_ms=row.response_time_ms,
        last_checked_at=row.last_checked_at,
        next_check_at=row.next_check_at,
        consecutive_failures=row.consecutive_failures,
        last_error=row.last_error,
        unhealthy_since=row.unhealthy_since,
    )


def _percent(healthy: int | None, total: int | None) -> float | None:
    if not total:
        return None
    return round(100.0 * (healthy or 0) / total, 2)


def _service(row: ServiceRow) -> ImputationService:
    return ImputationService(
        id=uuid.UUID(row.id),
        slug=row.slug,
        name=row.name,
        api_type=row.api_type,
        base_url=row.base_url,
        description=row.description,
        institution=row.institution,
        institution_url=row.institution_url,
        documentation_url=row.documentation_url,
        contact_url=row.contact_url,
        location=Location(country=row.country, city=row.city, latitude=row.latitude, longitude=row.longitude),
        supported_builds=row.supported_builds,
        max_upload_size_mb=row.max_upload_size_mb,
        requires_user_token=row.requires_user_token,
        is_active=row.is_active,
        deactivated_reason=row.deactivated_reason,
        created_at=row.created_at,
        updated_at=row.updated_at,
        health=_health(row),
    )


def _panel(row: PanelRow) -> ReferencePanel:
    return ReferencePanel(
        id=uuid.UUID(row.id),
        service_id=uuid.UUID(row.service_id),
        slug=row.slug,
        display_name=row.display_name,
        build=row.build,
        populations=row.populations,
        sample_count=row.sample_count,
        is_available=row.is_available,
        description=row.description,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )

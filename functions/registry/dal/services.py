"""Data access of imputation services: rows in, service records out."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import ColumnElement, String, and_, cast, delete, func, or_, select, true

from fip_core.repository import DomainRepository
from registry.dal.tables import ServiceRow
from registry.domain import HealthState, ServiceMatches, ServiceRecord
from registry.models.common import ApiType, GenomeBuild, HealthStatus
from registry.models.health import ProbeDetails
from registry.models.services import ServiceCreate, ServiceQuery

_PROBE_DETAILS: TypeAdapter[ProbeDetails] = TypeAdapter(ProbeDetails)
HEALTH_COLUMNS = (
    "health_status",
    "response_time_ms",
    "last_checked_at",
    "next_check_at",
    "consecutive_failures",
    "last_error",
    "unhealthy_since",
)


class ServiceRepository(DomainRepository):
    """Reads and writes the services table inside the caller's transaction."""

    def add(self, data: ServiceCreate, now: datetime) -> ServiceRecord:
        """Store a new service, unknown health, due for its first check at once."""
        row = ServiceRow(
            id=str(uuid.uuid4()),
            **data.model_dump(mode="json", exclude={"location"}),
            **data.location.model_dump(),
            deactivated_reason=None,
            created_at=now,
            updated_at=now,
            **health_columns(HealthState(status=HealthStatus.UNKNOWN, next_check_at=now)),
        )
        self.session.add(row)
        self._flush()
        return service_record(row)

    def get(self, service_id: str) -> ServiceRecord | None:
        """One service, or None."""
        row = self.session.get(ServiceRow, service_id)
        return service_record(row) if row else None

    def by_slug(self, slug: str) -> ServiceRecord | None:
        """One service by slug, or None."""
        row = self.session.scalar(select(ServiceRow).where(ServiceRow.slug == slug))
        return service_record(row) if row else None

    def find(self, query: ServiceQuery) -> ServiceMatches:
        """A page of services matching the filters, by name, and how many match in all."""
        total = self.session.scalar(select(func.count()).select_from(ServiceRow).where(_matching(query))) or 0
        return ServiceMatches(items=self.matching(query), total=total)

    def matching(self, query: ServiceQuery) -> list[ServiceRecord]:
        """A page of services matching the filters, by name."""
        rows = self.session.scalars(
            select(ServiceRow)
            .where(_matching(query))
            .order_by(func.lower(ServiceRow.name), ServiceRow.id)
            .limit(query.limit)
            .offset(query.offset)
        ).all()
        return [service_record(row) for row in rows]

    def active(self) -> list[ServiceRecord]:
        """The active services, by slug."""
        rows = self.session.scalars(
            select(ServiceRow).where(ServiceRow.is_active.is_(True)).order_by(ServiceRow.slug)
        ).all()
        return [service_record(row) for row in rows]

    def update(
        self, service_id: str, columns: dict[str, Any], now: datetime, health: HealthState | None = None
    ) -> ServiceRecord | None:
        """Set these columns (and, given, the whole health, forgetting what the last probe said);
        answer the service as it is now, or None if it does not exist."""
        row = self.session.get(ServiceRow, service_id)
        if row is None:
            return None
        if health is not None:
            columns = {**columns, **health_columns(health), "probe_details": None}
        for key, value in columns.items():
            setattr(row, key, value)
        row.updated_at = now
        self._flush()
        return service_record(row)

    def delete(self, service_id: str) -> bool:
        """Remove a service with its panels and history (their foreign keys cascade); answer whether it existed."""
        return affected(self.session.execute(delete(ServiceRow).where(ServiceRow.id == service_id))) > 0


def health_columns(health: HealthState) -> dict[str, Any]:
    """A health state as the services table's columns."""
    return {
        "health_status": health.status.value,
        "response_time_ms": health.response_time_ms,
        "last_checked_at": health.last_checked_at,
        "next_check_at": health.next_check_at,
        "consecutive_failures": health.consecutive_failures,
        "last_error": health.last_error,
        "unhealthy_since": health.unhealthy_since,
    }


def health_state(row: Any) -> HealthState:
    """The health state a services row (or a selection of its health columns) holds."""
    return HealthState(
        status=HealthStatus(row.health_status),
        response_time_ms=row.response_time_ms,
        last_checked_at=row.last_checked_at,
        next_check_at=row.next_check_at,
        consecutive_failures=row.consecutive_failures,
        last_error=row.last_error,
        unhealthy_since=row.unhealthy_since,
    )


def service_record(row: ServiceRow) -> ServiceRecord:
    """The service a row holds."""
    return ServiceRecord(
        id=row.id,
        slug=row.slug,
        name=row.name,
        api_type=ApiType(row.api_type),
        base_url=row.base_url,
        description=row.description,
        institution=row.institution,
        institution_url=row.institution_url,
        documentation_url=row.documentation_url,
        contact_url=row.contact_url,
        country=row.country,
        city=row.city,
        latitude=row.latitude,
        longitude=row.longitude,
        supported_builds=[GenomeBuild(build) for build in row.supported_builds],
        max_upload_size_mb=row.max_upload_size_mb,
        requires_user_token=row.requires_user_token,
        is_active=row.is_active,
        deactivated_reason=row.deactivated_reason,
        created_at=row.created_at,
        updated_at=row.updated_at,
        health=health_state(row),
        probe_details=_PROBE_DETAILS.validate_python(row.probe_details) if row.probe_details else None,
    )


def affected(result: Any) -> int:
    """How many rows a DML statement touched."""
    return int(result.rowcount)


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

"""Data access of imputation services: rows in, service records out."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import ColumnElement, Select, String, and_, bindparam, cast, delete, func, or_, select, true

from fip_core.database import UtcDateTime
from fip_core.repository import DomainRepository
from fip_core.wes_workflow import WesWorkflow
from registry.dal.tables import ServiceRow
from registry.domain import HealthState, ServiceMatches, ServiceRecord
from registry.models.common import ApiType, GenomeBuild, HealthStatus
from registry.models.health import ProbeDetails
from registry.models.services import ServiceCreate, ServiceQuery

_PROBE_DETAILS: TypeAdapter[ProbeDetails] = TypeAdapter(ProbeDetails)
# Reads select the table's columns rather than mapped objects: a page of services is read, mapped to
# domain records and dropped, so the session's identity map and change tracking are work for nothing
# (about half of a warm GET /services?limit=100; bench/api_warm.py).
_SERVICES: Select[Any] = select(*ServiceRow.__table__.columns)
_COLUMNS = tuple(column.name for column in ServiceRow.__table__.columns)
# On PostgreSQL a page's rows come as one JSON array each, with the count: pg8000 reads every column of
# every row in Python, which is most of a warm page of 100 services, where the json module reads an
# array in C. Timestamps come as ISO 8601 text (_from_json).
_SERVICES_AS_JSON: Select[Any] = select(func.json_build_array(*ServiceRow.__table__.columns), func.count().over())
_MOMENT_POSITIONS = tuple(
    position for position, column in enumerate(ServiceRow.__table__.columns) if isinstance(column.type, UtcDateTime)
)
# the enums by stored value: a dictionary lookup, where calling the enum costs a few microseconds a row
_API_TYPES = {kind.value: kind for kind in ApiType}
_BUILDS = {build.value: build for build in GenomeBuild}
_STATUSES = {status.value: status for status in HealthStatus}


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
        found = _records(self._rows(_SERVICES.where(ServiceRow.id == service_id)))
        return found[0] if found else None

    def by_slug(self, slug: str) -> ServiceRecord | None:
        """One service by slug, or None."""
        found = _records(self._rows(_SERVICES.where(ServiceRow.slug == slug)))
        return found[0] if found else None

    def find(self, query: ServiceQuery) -> ServiceMatches:
        """A page of services matching the filters, by name, and how many match in all: counted in the
        same statement as the page (one round trip to the database, not two), or on its own for a page
        past the end, which has no row to carry the count."""
        if self.session.connection().dialect.name == "postgresql":
            rows = [(*_from_json(values), total) for values, total in self._rows(self._page(query, _SERVICES_AS_JSON))]
        else:
            rows = list(self._rows(self._page(query, _SERVICES.add_columns(func.count().over()))))
        if rows:
            return ServiceMatches(items=_records(row[:-1] for row in rows), total=rows[0][-1])
        total = self.session.scalar(select(func.count()).select_from(ServiceRow).where(_matching(query))) or 0
        return ServiceMatches(items=[], total=total)

    def matching(self, query: ServiceQuery) -> list[ServiceRecord]:
        """A page of services matching the filters, by name."""
        return _records(self._rows(self._page(query, _SERVICES)))

    @staticmethod
    def _page(query: ServiceQuery, statement: Select[Any]) -> Select[Any]:
        # limit and offset written into the statement (they are validated integers): a statement without
        # parameters is one round trip to PostgreSQL with pg8000, where one with parameters takes three
        # (parse, describe and bind, execute), a third of a warm list of services
        return (
            statement.where(_matching(query))
            .order_by(func.lower(ServiceRow.name), ServiceRow.id)
            .limit(bindparam("limit", int(query.limit), literal_execute=True))
            .offset(bindparam("offset", int(query.offset), literal_execute=True))
        )

    def active(self) -> list[ServiceRecord]:
        """The active services, by slug."""
        return _records(self._rows(_SERVICES.where(ServiceRow.is_active.is_(True)).order_by(ServiceRow.slug)))

    def active_among(self, service_ids: set[str]) -> list[ServiceRecord]:
        """Those of these services that are active."""
        if not service_ids:
            return []
        return _records(self._rows(_SERVICES.where(ServiceRow.id.in_(service_ids), ServiceRow.is_active.is_(True))))

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

    def _rows(self, statement: Select[Any]) -> Any:
        # on the session's connection, in its transaction, without the ORM's result processing, which
        # plain columns do not need; what the session holds unwritten is written first, as it would be
        self.session.flush()
        return self.session.connection().execute(statement)

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
        "queue_load": health.queue_load,
    }


# the services table's health columns, as `health_columns` names them
HEALTH_COLUMNS = tuple(health_columns(HealthState(status=HealthStatus.UNKNOWN)))


def health_state(values: Mapping[str, Any]) -> HealthState:
    """The health state a services row's values (or a selection of its health columns) hold."""
    return HealthState(
        status=_STATUSES[values["health_status"]],
        response_time_ms=values["response_time_ms"],
        last_checked_at=values["last_checked_at"],
        next_check_at=values["next_check_at"],
        consecutive_failures=values["consecutive_failures"],
        last_error=values["last_error"],
        unhealthy_since=values["unhealthy_since"],
        queue_load=values["queue_load"],
    )


def service_record(row: ServiceRow) -> ServiceRecord:
    """The service a mapped row holds."""
    return _record({name: getattr(row, name) for name in _COLUMNS})


def _records(rows: Iterable[Sequence[Any]]) -> list[ServiceRecord]:
    """The services rows of `_SERVICES` hold, read by position (a row's attributes cost more than the
    rest of the mapping together)."""
    return [_record(dict(zip(_COLUMNS, row, strict=True))) for row in rows]


def _record(values: dict[str, Any]) -> ServiceRecord:
    details = values["probe_details"]
    return ServiceRecord(
        id=values["id"],
        slug=values["slug"],
        name=values["name"],
        api_type=_API_TYPES[values["api_type"]],
        base_url=values["base_url"],
        description=values["description"],
        institution=values["institution"],
        institution_url=values["institution_url"],
        documentation_url=values["documentation_url"],
        contact_url=values["contact_url"],
        country=values["country"],
        city=values["city"],
        latitude=values["latitude"],
        longitude=values["longitude"],
        supported_builds=[_BUILDS[build] for build in values["supported_builds"]],
        max_upload_size_mb=values["max_upload_size_mb"],
        requires_user_token=values["requires_user_token"],
        is_active=values["is_active"],
        deactivated_reason=values["deactivated_reason"],
        created_at=values["created_at"],
        updated_at=values["updated_at"],
        health=health_state(values),
        probe_details=_PROBE_DETAILS.validate_python(details) if details else None,
        workflow=WesWorkflow.model_validate(values["workflow"]) if values["workflow"] else None,
    )


def _from_json(values: list[Any]) -> list[Any]:
    """A row of `_SERVICES_AS_JSON` as the row of `_SERVICES` it holds: its timestamps read back as UTC."""
    for position in _MOMENT_POSITIONS:
        if values[position] is not None:
            values[position] = datetime.fromisoformat(values[position]).astimezone(UTC)
    return values


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

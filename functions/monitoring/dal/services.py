"""Services as the registry's events told them: one row each, read locked and written back by the logic."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitoring.dal.tables import ServiceRow
from monitoring.domain import ServiceFacts

_FIELDS = tuple(ServiceFacts.__dataclass_fields__)


class Services:
    """The services table; rows read in a transaction are kept for it (a batch reads each once)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._rows: dict[str, ServiceRow | None] = {}

    def preload(self, service_ids: Iterable[str]) -> None:
        """Read (and lock, in id order) these services in one statement, for a batch of events about them."""
        wanted = sorted({service_id for service_id in service_ids if service_id not in self._rows})
        if not wanted:
            return
        found = self.session.scalars(
            select(ServiceRow)
            .where(ServiceRow.service_id.in_(wanted))
            .order_by(ServiceRow.service_id)
            .with_for_update()
        )
        by_id = {row.service_id: row for row in found}
        self._rows.update({service_id: by_id.get(service_id) for service_id in wanted})

    def get(self, service_id: str) -> ServiceFacts | None:
        """A service's facts, locked until the transaction ends; None for one not seen yet."""
        if service_id not in self._rows:
            self._rows[service_id] = self.session.scalar(
                select(ServiceRow).where(ServiceRow.service_id == service_id).with_for_update()
            )
        row = self._rows[service_id]
        return None if row is None else _facts(row)

    def put(self, service: ServiceFacts) -> None:
        """Store a service's facts."""
        values = asdict(service)
        row = self._rows.get(service.service_id)
        if row is None:
            row = ServiceRow(**values)
            self.session.add(row)
            self._rows[service.service_id] = row
            return
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)

    def every(self) -> list[ServiceFacts]:
        """Every service seen, by name."""
        rows = self.session.scalars(select(ServiceRow).order_by(ServiceRow.name, ServiceRow.service_id))
        return [_facts(row) for row in rows]

    def at_risk(self) -> list[ServiceFacts]:
        """The services whose deactivation is near, soonest first."""
        rows = self.session.scalars(
            select(ServiceRow)
            .where(ServiceRow.deactivates_at.is_not(None))
            .order_by(ServiceRow.deactivates_at, ServiceRow.service_id)
        )
        return [_facts(row) for row in rows]


def _facts(row: ServiceRow) -> ServiceFacts:
    return ServiceFacts(**{name: getattr(row, name) for name in _FIELDS})

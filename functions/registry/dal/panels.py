"""Data access of reference panels: rows in, panel records out."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select

from fip_core.repository import DomainRepository
from registry.dal.services import affected
from registry.dal.tables import PanelRow
from registry.domain import PanelRecord
from registry.models.common import GenomeBuild
from registry.models.panels import PanelCreate, PanelQuery


class PanelRepository(DomainRepository):
    """Reads and writes the panels table inside the caller's transaction. A panel is always named
    with its service: one service's path never reaches another's panel."""

    def add(self, service_id: str, data: PanelCreate, now: datetime) -> PanelRecord:
        """Store a new panel of a service."""
        row = PanelRow(
            id=str(uuid.uuid4()), service_id=service_id, **data.model_dump(mode="json"), created_at=now, updated_at=now
        )
        self.session.add(row)
        self._flush()
        return _panel(row)

    def get(self, service_id: str, panel_id: str) -> PanelRecord | None:
        """One panel of one service, or None."""
        row = self._row(service_id, panel_id)
        return _panel(row) if row else None

    def find(self, query: PanelQuery) -> list[PanelRecord]:
        """Panels matching the filters, grouped by service, oldest first."""
        statement = select(PanelRow)
        if query.service_id:
            statement = statement.where(PanelRow.service_id == str(query.service_id))
        if query.build:
            statement = statement.where(PanelRow.build == query.build.value)
        if query.available is not None:
            statement = statement.where(PanelRow.is_available.is_(query.available))
        rows = self.session.scalars(statement.order_by(PanelRow.service_id, PanelRow.created_at, PanelRow.id))
        panels = [_panel(row) for row in rows]
        if query.population:
            # populations are a JSON list: matched here, alike on SQLite and PostgreSQL
            wanted = query.population.lower()
            panels = [p for p in panels if wanted in (population.lower() for population in p.populations)]
        return panels

    def named(self, names: set[str], build: GenomeBuild) -> list[PanelRecord]:
        """The panels on this build whose slug or id is one of the names, across services."""
        rows = self.session.scalars(
            select(PanelRow)
            .where(or_(PanelRow.slug.in_(names), PanelRow.id.in_(names)), PanelRow.build == build.value)
            .order_by(PanelRow.service_id, PanelRow.id)
        )
        return [_panel(row) for row in rows]

    def update(self, service_id: str, panel_id: str, changes: dict[str, Any], now: datetime) -> PanelRecord | None:
        """Apply changes to a panel of this service; answer it as it is now, or None if there is no such panel."""
        row = self._row(service_id, panel_id)
        if row is None:
            return None
        for key, value in changes.items():
            setattr(row, key, value)
        row.updated_at = now
        self._flush()
        return _panel(row)

    def delete(self, service_id: str, panel_id: str) -> bool:
        """Remove a panel of this service; answer whether it existed."""
        result = self.session.execute(
            delete(PanelRow).where(PanelRow.id == panel_id, PanelRow.service_id == service_id)
        )
        return affected(result) > 0

    def _row(self, service_id: str, panel_id: str) -> PanelRow | None:
        row = self.session.get(PanelRow, panel_id)
        return row if row is not None and row.service_id == service_id else None


def _panel(row: PanelRow) -> PanelRecord:
    return PanelRecord(
        id=row.id,
        service_id=row.service_id,
        slug=row.slug,
        display_name=row.display_name,
        build=GenomeBuild(row.build),
        populations=list(row.populations),
        sample_count=row.sample_count,
        is_available=row.is_available,
        description=row.description,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )

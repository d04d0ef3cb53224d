"""Data access of the platform's residency policy: one row, read whole and replaced whole."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from fip_core.repository import DomainRepository
from registry.dal.tables import ResidencyPolicyRow
from registry.domain import ResidencyPolicy

_ONLY = 1  # the policy's one row


class ResidencyRepository(DomainRepository):
    """Reads and replaces the residency policy inside the caller's transaction."""

    def get(self) -> ResidencyPolicy:
        """The policy as set, or the unrestricted one when no administrator has set it."""
        row = self.session.get(ResidencyPolicyRow, _ONLY)
        if row is None:
            return ResidencyPolicy()
        return ResidencyPolicy(
            allowed_countries=tuple(row.allowed_countries),
            allowed_services=tuple(row.allowed_services),
            updated_at=row.updated_at,
            updated_by=row.updated_by,
        )

    def replace(self, countries: list[str], services: list[str], now: datetime, by: str) -> ResidencyPolicy:
        """Set the policy (the row locked, so two administrators' changes apply one after the other)."""
        row = self.session.scalar(select(ResidencyPolicyRow).where(ResidencyPolicyRow.id == _ONLY).with_for_update())
        if row is None:
            row = ResidencyPolicyRow(id=_ONLY)
            self.session.add(row)
        row.allowed_countries, row.allowed_services, row.updated_at, row.updated_by = countries, services, now, by
        self._flush()
        return self.get()

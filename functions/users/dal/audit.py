"""The audit log: appended to, never changed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, func, select, true
from sqlalchemy.orm import Session

from fip_core.audit import AuditRecord
from users.dal.tables import AuditEventRow
from users.domain import AuditQuery, KeptAuditRecord, Page

_RECORD_FIELDS = tuple(AuditRecord.model_fields)


class AuditLog:
    """The `audit_events` table."""

    def __init__(self, session: Session, flush: Callable[[], None]) -> None:
        self.session = session
        self._flush = flush

    def add(self, record: AuditRecord, entry_id: str | None = None) -> bool:
        """Append a record; with an id (an event's), a record already kept is not kept twice.
        Answer whether it was added."""
        entry_id = entry_id or str(uuid.uuid4())
        if self.session.get(AuditEventRow, entry_id) is not None:
            return False
        self.session.add(AuditEventRow(id=entry_id, **record.model_dump()))
        self._flush()
        return True

    def find(self, query: AuditQuery) -> Page[KeptAuditRecord]:
        """Records matching the filters, newest first, and how many match in all."""
        conditions: list[Any] = []
        if query.actor_id:
            conditions.append(AuditEventRow.actor_id == query.actor_id)
        if query.action:
            conditions.append(AuditEventRow.action == query.action)
        if query.domain:
            conditions.append(AuditEventRow.domain == query.domain)
        if query.since:
            conditions.append(AuditEventRow.at >= query.since)
        where = and_(true(), *conditions)
        total = self.session.scalar(select(func.count()).select_from(AuditEventRow).where(where)) or 0
        rows = self.session.scalars(
            select(AuditEventRow)
            .where(where)
            .order_by(AuditEventRow.at.desc(), AuditEventRow.id)
            .limit(query.limit)
            .offset(query.offset)
        )
        items = [
            KeptAuditRecord(id=row.id, record=AuditRecord(**{name: getattr(row, name) for name in _RECORD_FIELDS}))
            for row in rows
        ]
        return Page(items=items, total=total)

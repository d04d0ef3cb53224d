"""Messages: one per applied event, dispatched to recipients after the event's transaction."""

from __future__ import annotations

import uuid
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from notifications.dal.tables import MessageRow
from notifications.domain import Message, MessageKind

_MESSAGE_FIELDS = [field.name for field in fields(Message)]


class Messages:
    """The messages table."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        event_id: str,
        kind: MessageKind,
        user_id: str | None,
        facts: dict[str, Any],
        occurred_at: datetime,
        now: datetime,
    ) -> Message:
        """A new message from an event (the caller's inbox record makes it once per event)."""
        row = MessageRow(
            id=str(uuid.uuid4()),
            event_id=event_id,
            kind=kind.value,
            user_id=user_id,
            facts=facts,
            occurred_at=occurred_at,
            created_at=now,
            dispatched_at=None,
        )
        self.session.add(row)
        self.session.flush()
        return _message(row)

    def undispatched(self, limit: int) -> list[Message]:
        """The oldest messages not yet dispatched to their recipients."""
        rows = self.session.scalars(
            select(MessageRow).where(MessageRow.dispatched_at.is_(None)).order_by(MessageRow.created_at).limit(limit)
        )
        return [_message(row) for row in rows]

    def mark_dispatched(self, message_id: str, now: datetime) -> bool:
        """Record a message dispatched; False when another run did it first (nothing changes)."""
        row = self.session.get(MessageRow, message_id, with_for_update=True)
        if row is None or row.dispatched_at is not None:
            return False
        row.dispatched_at = now
        self.session.flush()
        return True


def _message(row: MessageRow) -> Message:
    values = {name: getattr(row, name) for name in _MESSAGE_FIELDS}
    return Message(**values | {"kind": MessageKind(row.kind), "facts": dict(row.facts)})

"""In-app notifications: a user's own, paged, read and cleared."""

from __future__ import annotations

import uuid
from dataclasses import fields
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from notifications.dal.tables import NotificationRow
from notifications.domain import MessageKind, Notification, Page, Rendered

_NOTIFICATION_FIELDS = [field.name for field in fields(Notification)]


class Notifications:
    """The notifications table; every read and change is scoped to one user."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, message_id: str, user_id: str, kind: MessageKind, rendered: Rendered, now: datetime) -> None:
        """A notification of a message for a user (the caller checks it is not there already)."""
        self.session.add(
            NotificationRow(
                id=str(uuid.uuid4()),
                message_id=message_id,
                user_id=user_id,
                kind=kind.value,
                title=rendered.title,
                body=rendered.text,
                link=rendered.link,
                created_at=now,
                read_at=None,
            )
        )
        self.session.flush()

    def exists(self, message_id: str, user_id: str) -> bool:
        """Whether a user has a notification of a message already."""
        found = self.session.scalar(
            select(NotificationRow.id).where(
                NotificationRow.message_id == message_id, NotificationRow.user_id == user_id
            )
        )
        return found is not None

    def page(self, user_id: str, *, unread_only: bool, limit: int, offset: int) -> Page[Notification]:
        """A user's notifications, newest first."""
        where = [NotificationRow.user_id == user_id]
        if unread_only:
            where.append(NotificationRow.read_at.is_(None))
        total = self.session.scalar(select(func.count()).select_from(NotificationRow).where(*where)) or 0
        rows = self.session.scalars(
            select(NotificationRow)
            .where(*where)
            .order_by(NotificationRow.created_at.desc(), NotificationRow.id)
            .limit(limit)
            .offset(offset)
        )
        return Page(items=[_notification(row) for row in rows], total=total)

    def unread(self, user_id: str) -> int:
        """How many of a user's notifications are unread."""
        query = select(func.count()).select_from(NotificationRow)
        return (
            self.session.scalar(query.where(NotificationRow.user_id == user_id, NotificationRow.read_at.is_(None))) or 0
        )

    def mark_read(self, user_id: str, notification_id: str, now: datetime) -> Notification | None:
        """Mark one of a user's notifications read (kept as it was if read already); None if not theirs."""
        row = self._own(user_id, notification_id)
        if row is None:
            return None
        if row.read_at is None:
            row.read_at = now
            self.session.flush()
        return _notification(row)

    def mark_all_read(self, user_id: str, now: datetime) -> int:
        """Mark every unread notification of a user read; how many were."""
        result = self.session.execute(
            update(NotificationRow)
            .where(NotificationRow.user_id == user_id, NotificationRow.read_at.is_(None))
            .values(read_at=now)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def remove(self, user_id: str, notification_id: str) -> bool:
        """Delete one of a user's notifications; False if there is none of that id for them."""
        result = self.session.execute(
            delete(NotificationRow).where(NotificationRow.user_id == user_id, NotificationRow.id == notification_id)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def _own(self, user_id: str, notification_id: str) -> NotificationRow | None:
        return self.session.scalar(
            select(NotificationRow).where(NotificationRow.user_id == user_id, NotificationRow.id == notification_id)
        )


def _notification(row: NotificationRow) -> Notification:
    values = {name: getattr(row, name) for name in _NOTIFICATION_FIELDS}
    return Notification(**values | {"kind": MessageKind(row.kind)})

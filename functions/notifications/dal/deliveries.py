"""Email deliveries: one per message and recipient, claimed before each try, recorded after it."""

from __future__ import annotations

import uuid
from dataclasses import fields
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from notifications.dal.tables import DeliveryRow
from notifications.domain import Delivery, DeliveryStatus, Rendered

_DELIVERY_FIELDS = [field.name for field in fields(Delivery)]


class Deliveries:
    """The deliveries table."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self, message_id: str, user_id: str, address: str, rendered: Rendered, status: DeliveryStatus, now: datetime
    ) -> Delivery:
        """A delivery of a message to a recipient's address (the caller checks it is not there already)."""
        row = DeliveryRow(
            id=str(uuid.uuid4()),
            message_id=message_id,
            user_id=user_id,
            address=address,
            subject=rendered.title,
            text=rendered.text,
            html=rendered.html,
            status=status.value,
            attempts=0,
            provider_id=None,
            last_error=None,
            created_at=now,
            updated_at=now,
            sent_at=None,
        )
        self.session.add(row)
        self.session.flush()
        return _delivery(row)

    def exists(self, message_id: str, user_id: str) -> bool:
        """Whether a recipient has a delivery of a message already."""
        found = self.session.scalar(
            select(DeliveryRow.id).where(DeliveryRow.message_id == message_id, DeliveryRow.user_id == user_id)
        )
        return found is not None

    def due(self, now: datetime, stale_after: timedelta, limit: int) -> list[str]:
        """Deliveries waiting for a try: pending ones, and ones claimed by a sender that stopped
        (claimed longer ago than `stale_after`)."""
        rows = self.session.scalars(
            select(DeliveryRow.id)
            .where(
                or_(
                    DeliveryRow.status == DeliveryStatus.PENDING.value,
                    (DeliveryRow.status == DeliveryStatus.SENDING.value) & (DeliveryRow.updated_at < now - stale_after),
                )
            )
            .order_by(DeliveryRow.created_at)
            .limit(limit)
        )
        return list(rows)

    def claim(self, delivery_id: str, now: datetime, stale_after: timedelta) -> Delivery | None:
        """Take a due delivery for one try (its attempts grow by one); None if it is not due any more."""
        row = self.session.get(DeliveryRow, delivery_id, with_for_update=True)
        if row is None:
            return None
        stale = row.status == DeliveryStatus.SENDING.value and row.updated_at < now - stale_after
        if row.status != DeliveryStatus.PENDING.value and not stale:
            return None
        row.status = DeliveryStatus.SENDING.value
        row.attempts += 1
        row.updated_at = now
        self.session.flush()
        return _delivery(row)

    def record(
        self, delivery_id: str, status: DeliveryStatus, now: datetime, *, provider_id: str | None, error: str | None
    ) -> None:
        """What became of a try."""
        row = self.session.get(DeliveryRow, delivery_id, with_for_update=True)
        if row is None:
            return
        row.status = status.value
        row.updated_at = now
        row.provider_id = provider_id or row.provider_id
        row.last_error = error
        if status is DeliveryStatus.SENT:
            row.sent_at = now
        self.session.flush()

    def of_message(self, message_id: str) -> list[Delivery]:
        """Every delivery of a message."""
        rows = self.session.scalars(select(DeliveryRow).where(DeliveryRow.message_id == message_id))
        return [_delivery(row) for row in rows]

    def to_user(self, user_id: str) -> list[Delivery]:
        """Every delivery to a user, oldest first."""
        rows = self.session.scalars(
            select(DeliveryRow).where(DeliveryRow.user_id == user_id).order_by(DeliveryRow.created_at)
        )
        return [_delivery(row) for row in rows]


def _delivery(row: DeliveryRow) -> Delivery:
    values = {name: getattr(row, name) for name in _DELIVERY_FIELDS}
    return Delivery(**values | {"status": DeliveryStatus(row.status)})

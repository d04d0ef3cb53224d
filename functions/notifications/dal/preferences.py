"""Users' preferences per kind of message, and the addresses email no longer goes to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from notifications.dal.tables import PreferenceRow, SuppressionRow
from notifications.domain import DEFAULT_CHANNELS, Channel, MessageKind


class Preferences:
    """The preferences table: only the kinds a user changed from their default have a row."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def of_user(self, user_id: str) -> dict[MessageKind, Channel]:
        """A user's channel for every kind, defaults filled in."""
        rows = self.session.scalars(select(PreferenceRow).where(PreferenceRow.user_id == user_id))
        chosen = {MessageKind(row.kind): Channel(row.channel) for row in rows}
        return DEFAULT_CHANNELS | chosen

    def replace(self, user_id: str, channels: dict[MessageKind, Channel], now: datetime) -> None:
        """Set a user's channels: the kinds given as given, the others back to their default."""
        self.session.execute(delete(PreferenceRow).where(PreferenceRow.user_id == user_id))
        for kind, channel in channels.items():
            if channel is not DEFAULT_CHANNELS[kind]:
                self.session.add(PreferenceRow(user_id=user_id, kind=kind.value, channel=channel.value, updated_at=now))
        self.session.flush()


class Suppressions:
    """The suppressions table, by address in lower case."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def suppressed(self, address: str) -> bool:
        """Whether email to an address is suppressed."""
        return self.session.get(SuppressionRow, address.lower()) is not None

    def suppress(self, address: str, reason: str, detail: str | None, feedback_id: str | None, now: datetime) -> bool:
        """Suppress an address (kept as first recorded if it is already); whether it was new."""
        if self.suppressed(address):
            return False
        self.session.add(
            SuppressionRow(
                address=address.lower(), reason=reason, detail=detail, feedback_id=feedback_id, suppressed_at=now
            )
        )
        self.session.flush()
        return True

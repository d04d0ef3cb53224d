"""Personal API tokens, kept as hashes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from users.dal.tables import ApiTokenRow
from users.domain import StoredToken


class ApiTokens:
    """The `api_tokens` table."""

    def __init__(self, session: Session, flush: Callable[[], None]) -> None:
        self.session = session
        self._flush = flush

    def add(
        self, token_id: str, user_id: str, name: str, secret_hash: str, expires_at: datetime, now: datetime
    ) -> StoredToken:
        """Store a new token's hash."""
        row = ApiTokenRow(
            id=token_id, user_id=user_id, name=name, secret_hash=secret_hash, created_at=now, expires_at=expires_at,
            last_used_at=None, revoked_at=None,
        )  # fmt: skip
        self.session.add(row)
        self._flush()
        return _token(row)

    def of_user(self, user_id: str) -> list[StoredToken]:
        """A user's tokens, newest first."""
        rows = self.session.scalars(
            select(ApiTokenRow).where(ApiTokenRow.user_id == user_id).order_by(ApiTokenRow.created_at.desc())
        )
        return [_token(row) for row in rows]

    def get(self, token_id: str) -> StoredToken | None:
        """A token by its id, whoever holds it."""
        row = self.session.get(ApiTokenRow, token_id)
        return _token(row) if row else None

    def mark_used(self, token_id: str, now: datetime) -> None:
        """Note when a token was last used."""
        row = self.session.get(ApiTokenRow, token_id)
        if row is not None:
            row.last_used_at = now

    def revoke(self, user_id: str, token_id: str, now: datetime) -> StoredToken | None:
        """Revoke one of a user's tokens (once); None if the user has no such token."""
        row = self.session.get(ApiTokenRow, token_id)
        if row is None or row.user_id != user_id:
            return None
        if row.revoked_at is None:
            row.revoked_at = now
            self._flush()
        return _token(row)

    def revoke_all(self, user_id: str, now: datetime) -> int:
        """Revoke every live token of a user; answer how many."""
        result = self.session.execute(
            update(ApiTokenRow)
            .where(ApiTokenRow.user_id == user_id, ApiTokenRow.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session="fetch")
        )
        return int(getattr(result, "rowcount", 0) or 0)


def _token(row: ApiTokenRow) -> StoredToken:
    return StoredToken(
        id=row.id, user_id=row.user_id, name=row.name, secret_hash=row.secret_hash, created_at=row.created_at,
        expires_at=row.expires_at, last_used_at=row.last_used_at, revoked_at=row.revoked_at,
    )  # fmt: skip

"""Users' encrypted tokens for external imputation services."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from users.dal.tables import ExternalCredentialRow
from users.domain import EncryptedCredential


class Credentials:
    """The `external_credentials` table: at most one ciphertext per user and service."""

    def __init__(self, session: Session, flush: Callable[[], None]) -> None:
        self.session = session
        self._flush = flush

    def store(self, user_id: str, service_id: str, ciphertext: bytes, now: datetime) -> EncryptedCredential:
        """Store or replace a user's encrypted token for a service."""
        row = self._row(user_id, service_id)
        if row is None:
            row = ExternalCredentialRow(
                id=str(uuid.uuid4()), user_id=user_id, service_id=service_id, ciphertext=ciphertext, created_at=now,
                updated_at=now,
            )  # fmt: skip
            self.session.add(row)
        else:
            row.ciphertext = ciphertext
            row.updated_at = now
        self._flush()
        return _credential(row)

    def of_user(self, user_id: str) -> list[EncryptedCredential]:
        """A user's stored tokens, by service."""
        rows = self.session.scalars(
            select(ExternalCredentialRow)
            .where(ExternalCredentialRow.user_id == user_id)
            .order_by(ExternalCredentialRow.service_id)
        )
        return [_credential(row) for row in rows]

    def get(self, user_id: str, service_id: str) -> EncryptedCredential | None:
        """A user's stored token for a service, or None."""
        row = self._row(user_id, service_id)
        return _credential(row) if row else None

    def delete(self, user_id: str, service_id: str) -> bool:
        """Forget a user's token for a service; answer whether there was one."""
        row = self._row(user_id, service_id)
        if row is None:
            return False
        self.session.delete(row)
        return True

    def _row(self, user_id: str, service_id: str) -> ExternalCredentialRow | None:
        return self.session.scalar(
            select(ExternalCredentialRow).where(
                ExternalCredentialRow.user_id == user_id, ExternalCredentialRow.service_id == service_id
            )
        )


def _credential(row: ExternalCredentialRow) -> EncryptedCredential:
    return EncryptedCredential(
        user_id=row.user_id, service_id=row.service_id, ciphertext=row.ciphertext, created_at=row.created_at,
        updated_at=row.updated_at,
    )  # fmt: skip

"""Role grants: who holds which role, for which service, until when."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from fip_core.access import Role
from users.dal.tables import RoleGrantRow, UserRow
from users.domain import StoredGrant, UserStatus


class RoleGrants:
    """The `role_grants` table; a revoked grant stays, with the moment it was revoked."""

    def __init__(self, session: Session, flush: Callable[[], None]) -> None:
        self.session = session
        self._flush = flush

    def add(
        self,
        user_id: str,
        role: Role,
        service_id: str | None,
        expires_at: datetime | None,
        granted_by: str | None,
        now: datetime,
    ) -> StoredGrant:
        """Grant a role."""
        row = RoleGrantRow(
            id=str(uuid.uuid4()), user_id=user_id, role=role.value, service_id=service_id, expires_at=expires_at,
            granted_by=granted_by, granted_at=now, revoked_at=None,
        )  # fmt: skip
        self.session.add(row)
        self._flush()
        return _grant(row)

    def get(self, user_id: str, grant_id: str) -> StoredGrant | None:
        """One of a user's grants; another user's grant reads as missing."""
        row = self.session.get(RoleGrantRow, grant_id)
        return _grant(row) if row is not None and row.user_id == user_id else None

    def of_user(self, user_id: str) -> list[StoredGrant]:
        """Every grant of a user, newest first, revoked and expired ones included."""
        rows = self.session.scalars(
            select(RoleGrantRow).where(RoleGrantRow.user_id == user_id).order_by(RoleGrantRow.granted_at.desc())
        )
        return [_grant(row) for row in rows]

    def in_force(self, user_ids: Collection[str], now: datetime) -> dict[str, list[StoredGrant]]:
        """The grants in force now of each of these users (in one query), newest first."""
        found: dict[str, list[StoredGrant]] = {user_id: [] for user_id in user_ids}
        rows = self.session.scalars(
            select(RoleGrantRow)
            .where(RoleGrantRow.user_id.in_(found), _in_force(now))
            .order_by(RoleGrantRow.granted_at.desc())
        )
        for row in rows:
            found[row.user_id].append(_grant(row))
        return found

    def revoke(self, grant_id: str, now: datetime) -> StoredGrant | None:
        """Revoke a grant (once: revoking again changes nothing); None if there is no such grant."""
        row = self.session.get(RoleGrantRow, grant_id)
        if row is None:
            return None
        if row.revoked_at is None:
            row.revoked_at = now
            self._flush()
        return _grant(row)

    def active_holders(self, role: Role, now: datetime, *, lock: bool = False) -> set[str]:
        """The active accounts that hold a role for all services now; with `lock`, their grants and
        accounts stay locked until the transaction ends (PostgreSQL; SQLite has one writer anyway)."""
        query = (
            select(RoleGrantRow.user_id)
            .join(UserRow, UserRow.id == RoleGrantRow.user_id)
            .where(
                RoleGrantRow.role == role.value,
                RoleGrantRow.service_id.is_(None),
                UserRow.status == UserStatus.ACTIVE.value,
                _in_force(now),
            )
        )
        return set(self.session.scalars(query.with_for_update() if lock else query))

    def anybody_holds(self, role: Role, now: datetime) -> bool:
        """Whether any account, active or not, holds a role now."""
        found = self.session.scalar(
            select(RoleGrantRow.id).where(RoleGrantRow.role == role.value, _in_force(now)).limit(1)
        )
        return found is not None


def _in_force(now: datetime) -> ColumnElement[bool]:
    """Grants not revoked and not expired."""
    return and_(
        RoleGrantRow.revoked_at.is_(None), or_(RoleGrantRow.expires_at.is_(None), RoleGrantRow.expires_at > now)
    )


def _grant(row: RoleGrantRow) -> StoredGrant:
    return StoredGrant(
        id=row.id, user_id=row.user_id, role=Role(row.role), service_id=row.service_id, expires_at=row.expires_at,
        granted_by=row.granted_by, granted_at=row.granted_at, revoked_at=row.revoked_at,
    )  # fmt: skip

"""Users and their profiles."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, true, update
from sqlalchemy.orm import Session

from users.dal.tables import UserRow
from users.domain import NewProfile, Page, User, UserStatus


class Users:
    """The `users` table: one row per account, keyed by the Cognito `sub`."""

    def __init__(self, session: Session, flush: Callable[[], None]) -> None:
        self.session = session
        self._flush = flush

    def add(self, user_id: str, email: str, profile: NewProfile, status: UserStatus, now: datetime) -> User:
        """Store a new user."""
        row = UserRow(
            id=user_id, email=email, name=profile.name, institution=profile.institution,
            department=profile.department, country=profile.country, status=status.value, created_at=now,
            updated_at=now, sessions_revoked_at=None,
        )  # fmt: skip
        self.session.add(row)
        self._flush()
        return _user(row)

    def get(self, user_id: str) -> User | None:
        """One user, or None."""
        row = self.session.get(UserRow, user_id)
        return _user(row) if row else None

    def many(self, user_ids: Collection[str]) -> dict[str, User]:
        """The users among these ids that exist, by id, in one query."""
        rows = self.session.scalars(select(UserRow).where(UserRow.id.in_(user_ids)))
        return {row.id: _user(row) for row in rows}

    def by_email(self, email: str) -> User | None:
        """The user with this address, or None."""
        row = self.session.scalar(select(UserRow).where(UserRow.email == email))
        return _user(row) if row else None

    def update_profile(self, user_id: str, changes: dict[str, str | None], now: datetime) -> User | None:
        """Change profile fields (name, institution, department, country); None if there is no such user."""
        return self._change(user_id, now, **changes)

    def confirm(self, user_id: str, now: datetime) -> User | None:
        """Make an unconfirmed account active; None if it was not unconfirmed (a second confirmation)."""
        changed = self.session.execute(
            update(UserRow)
            .where(UserRow.id == user_id, UserRow.status == UserStatus.UNCONFIRMED.value)
            .values(status=UserStatus.ACTIVE.value, updated_at=now)
            .execution_options(synchronize_session="fetch")
        )
        return self.get(user_id) if getattr(changed, "rowcount", 0) == 1 else None

    def set_status(self, user_id: str, status: UserStatus, now: datetime) -> User | None:
        """Confirm, disable or enable an account; None if there is no such user."""
        return self._change(user_id, now, status=status.value)

    def revoke_sessions(self, user_id: str, now: datetime) -> User | None:
        """Refuse from now on every Cognito token the user was issued before now."""
        return self._change(user_id, now, sessions_revoked_at=now)

    def find(self, q: str | None, limit: int, offset: int) -> Page[User]:
        """A page of users matching a search of email, name and institution, by email."""
        where: Any = true()
        if q:
            pattern = f"%{q.lower().replace('%', '').replace('_', '')}%"
            where = or_(*(func.lower(c).like(pattern) for c in (UserRow.email, UserRow.name, UserRow.institution)))
        total = self.session.scalar(select(func.count()).select_from(UserRow).where(where)) or 0
        rows = self.session.scalars(select(UserRow).where(where).order_by(UserRow.email).limit(limit).offset(offset))
        return Page(items=[_user(row) for row in rows], total=total)

    def _change(self, user_id: str, now: datetime, **changes: Any) -> User | None:
        row = self.session.get(UserRow, user_id)
        if row is None:
            return None
        for key, value in changes.items():
            setattr(row, key, value)
        row.updated_at = now
        self._flush()
        return _user(row)


def _user(row: UserRow) -> User:
    return User(
        id=row.id, email=row.email, name=row.name, institution=row.institution, department=row.department,
        country=row.country, status=UserStatus(row.status), created_at=row.created_at, updated_at=row.updated_at,
        sessions_revoked_at=row.sessions_revoked_at,
    )  # fmt: skip

"""The users repository: every query the users domain makes, behind one small class."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, func, or_, select, true

from fip_core.access import Grant, Role
from fip_core.audit import AuditRecord
from fip_core.repository import DomainRepository
from users.dal.tables import ApiTokenRow, AuditEventRow, ExternalCredentialRow, RoleGrantRow, UserRow
from users.models.audit import AuditEntry
from users.models.credentials import StoredCredential
from users.models.profiles import UserProfile
from users.models.roles import RoleGrant
from users.models.tokens import ApiToken

_Revocable = TypeVar("_Revocable", RoleGrantRow, ApiTokenRow)


@dataclass(frozen=True)
class TokenRecord:
    """What the authorizer needs to check a personal API token."""

    id: str
    user_id: str
    secret_hash: str
    expires_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class AuditQuery:
    """Filters of the audit log."""

    actor_id: str | None = None
    action: str | None = None
    domain: str | None = None
    since: datetime | None = None
    limit: int = 100
    offset: int = 0


class UsersRepository(DomainRepository):
    """Reads and writes the users domain's tables inside one transaction (the caller's session)."""

    # --- users -----------------------------------------------------------------------------------

    def add_user(self, user_id: str, email: str, profile: dict[str, Any], status: str, now: datetime) -> None:
        """Store a new user."""
        self.session.add(UserRow(id=user_id, email=email, status=status, created_at=now, updated_at=now, **profile))
        self._flush()

    def user(self, user_id: str, now: datetime) -> UserProfile | None:
        """One user with the grants in force now, or None."""
        row = self.session.get(UserRow, user_id)
        return self._profiles([row], now)[0] if row else None

    def user_id_by_email(self, email: str) -> str | None:
        """The id of the user with this address, or None."""
        return self.session.scalar(select(UserRow.id).where(UserRow.email == email))

    def account_by_email(self, email: str) -> tuple[str, str] | None:
        """The id and status of the user with this address, or None."""
        row = self.session.execute(select(UserRow.id, UserRow.status).where(UserRow.email == email)).first()
        return (row.id, row.status) if row else None

    def user_status(self, user_id: str) -> tuple[str, str] | None:
        """A user's status and email, or None."""
        row = self.session.execute(select(UserRow.status, UserRow.email).where(UserRow.id == user_id)).first()
        return (row.status, row.email) if row else None

    def update_user(self, user_id: str, changes: dict[str, Any], now: datetime) -> bool:
        """Apply changes to a user; answer whether the user exists."""
        row = self.session.get(UserRow, user_id)
        if row is None:
            return False
        for key, value in changes.items():
            setattr(row, key, value)
        row.updated_at = now
        self._flush()
        return True

    def find_users(self, q: str | None, limit: int, offset: int, now: datetime) -> tuple[list[UserProfile], int]:
        """A page of users matching a search, by email, and how many match in all."""
        where: Any = true()
        if q:
            pattern = f"%{q.lower().replace('%', '').replace('_', '')}%"
            where = or_(*(func.lower(c).like(pattern) for c in (UserRow.email, UserRow.name, UserRow.institution)))
        total = self.session.scalar(select(func.count()).select_from(UserRow).where(where)) or 0
        rows = self.session.scalars(
            select(UserRow).where(where).order_by(UserRow.email).limit(limit).offset(offset)
        ).all()
        return self._profiles(rows, now), total

    def _profiles(self, rows: Sequence[UserRow], now: datetime) -> list[UserProfile]:
        # the grants in force of every user on the page in one query, newest first
        grants: dict[str, list[RoleGrant]] = {row.id: [] for row in rows}
        in_force = self.session.scalars(
            select(RoleGrantRow)
            .where(RoleGrantRow.user_id.in_(grants), _in_force(now))
            .order_by(RoleGrantRow.granted_at.desc())
        )
        for grant in in_force:
            grants[grant.user_id].append(_grant(grant))
        return [
            UserProfile(
                id=row.id, email=row.email, name=row.name, institution=row.institution, department=row.department,
                country=row.country, status=row.status, created_at=row.created_at, updated_at=row.updated_at,
                roles=grants[row.id],
            )
            for row in rows
        ]  # fmt: skip

    # --- role grants ---------------------------------------------------------------------------

    def add_grant(
        self,
        user_id: str,
        role: Role,
        service_id: str | None,
        expires_at: datetime | None,
        granted_by: str | None,
        now: datetime,
    ) -> RoleGrant:
        """Grant a role."""
        row = RoleGrantRow(
            id=str(uuid.uuid4()),
            user_id=user_id,
            role=role.value,
            service_id=service_id,
            expires_at=expires_at,
            granted_by=granted_by,
            granted_at=now,
            revoked_at=None,
        )
        self.session.add(row)
        self._flush()
        return _grant(row)

    def grants(self, user_id: str) -> list[RoleGrant]:
        """Every grant of a user, newest first, revoked and expired ones included."""
        rows = self.session.scalars(
            select(RoleGrantRow).where(RoleGrantRow.user_id == user_id).order_by(RoleGrantRow.granted_at.desc())
        )
        return [_grant(row) for row in rows]

    def active_grants(self, user_id: str, now: datetime) -> list[Grant]:
        """The grants of a user in force now."""
        rows = self.session.scalars(select(RoleGrantRow).where(RoleGrantRow.user_id == user_id, _in_force(now)))
        return [Grant(role=Role(r.role), service_id=r.service_id, expires_at=r.expires_at) for r in rows]

    def revoke_grant(self, user_id: str, grant_id: str, now: datetime) -> RoleGrant | None:
        """Revoke a grant of a user; answer it, or None if the user has no such grant."""
        row = self._revoke(RoleGrantRow, user_id, grant_id, now)
        return _grant(row) if row else None

    def holds_unscoped(self, user_id: str, role: Role, now: datetime) -> bool:
        """Whether a user still holds a role for all services (mirrored as a Cognito group)."""
        return any(g.role is role and g.service_id is None for g in self.active_grants(user_id, now))

    def an_admin_exists(self, now: datetime) -> bool:
        """Whether anybody holds the admin role now."""
        found = self.session.scalar(
            select(RoleGrantRow.id).where(RoleGrantRow.role == Role.ADMIN.value, _in_force(now)).limit(1)
        )
        return found is not None

    # --- personal API tokens -------------------------------------------------------------------

    def add_token(
        self, token_id: str, user_id: str, name: str, secret_hash: str, expires_at: datetime, now: datetime
    ) -> ApiToken:
        """Store a new token's hash."""
        row = ApiTokenRow(
            id=token_id, user_id=user_id, name=name, secret_hash=secret_hash, created_at=now, expires_at=expires_at,
            last_used_at=None, revoked_at=None,
        )  # fmt: skip
        self.session.add(row)
        self._flush()
        return _token(row)

    def tokens(self, user_id: str) -> list[ApiToken]:
        """A user's tokens, newest first."""
        rows = self.session.scalars(
            select(ApiTokenRow).where(ApiTokenRow.user_id == user_id).order_by(ApiTokenRow.created_at.desc())
        )
        return [_token(row) for row in rows]

    def token_record(self, token_id: str) -> TokenRecord | None:
        """The stored part of a token, for checking it."""
        row = self.session.get(ApiTokenRow, token_id)
        if row is None:
            return None
        return TokenRecord(row.id, row.user_id, row.secret_hash, row.expires_at, row.revoked_at)

    def token_used(self, token_id: str, now: datetime) -> None:
        """Note when a token was last used."""
        row = self.session.get(ApiTokenRow, token_id)
        if row is not None:
            row.last_used_at = now

    def revoke_token(self, user_id: str, token_id: str, now: datetime) -> ApiToken | None:
        """Revoke one of a user's tokens; None if the user has no such token."""
        row = self._revoke(ApiTokenRow, user_id, token_id, now)
        return _token(row) if row else None

    def _revoke(self, table: type[_Revocable], user_id: str, row_id: str, now: datetime) -> _Revocable | None:
        # one of the user's own rows, revoked once (revoking again changes nothing); another user's reads as missing
        row = self.session.get(table, row_id)
        if row is None or row.user_id != user_id:
            return None
        if row.revoked_at is None:
            row.revoked_at = now
            self._flush()
        return row

    # --- external service credentials ------------------------------------------------------------

    def store_credential(self, user_id: str, service_id: str, ciphertext: bytes, now: datetime) -> StoredCredential:
        """Store or replace a user's encrypted token for a service."""
        row = self._credential(user_id, service_id)
        if row is None:
            row = ExternalCredentialRow(
                id=str(uuid.uuid4()),
                user_id=user_id,
                service_id=service_id,
                ciphertext=ciphertext,
                created_at=now,
                updated_at=now,
            )
            self.session.add(row)
        else:
            row.ciphertext = ciphertext
            row.updated_at = now
        self._flush()
        return _stored(row)

    def credentials(self, user_id: str) -> list[StoredCredential]:
        """The services a user stored a token for."""
        rows = self.session.scalars(
            select(ExternalCredentialRow)
            .where(ExternalCredentialRow.user_id == user_id)
            .order_by(ExternalCredentialRow.service_id)
        )
        return [_stored(row) for row in rows]

    def credential_ciphertext(self, user_id: str, service_id: str) -> bytes | None:
        """The encrypted token of a user for a service, or None."""
        row = self._credential(user_id, service_id)
        return row.ciphertext if row else None

    def delete_credential(self, user_id: str, service_id: str) -> bool:
        """Forget a user's token for a service; answer whether there was one."""
        row = self._credential(user_id, service_id)
        if row is None:
            return False
        self.session.delete(row)
        return True

    def _credential(self, user_id: str, service_id: str) -> ExternalCredentialRow | None:
        return self.session.scalar(
            select(ExternalCredentialRow).where(
                ExternalCredentialRow.user_id == user_id, ExternalCredentialRow.service_id == service_id
            )
        )

    # --- audit log -------------------------------------------------------------------------------

    def audit(self, record: AuditRecord, entry_id: str | None = None) -> bool:
        """Append a record; with an id (an event's), a record already kept is not kept twice.
        Answer whether it was added."""
        entry_id = entry_id or str(uuid.uuid4())
        if self.session.get(AuditEventRow, entry_id) is not None:
            return False
        self.session.add(AuditEventRow(id=entry_id, **record.model_dump()))
        self._flush()
        return True

    def find_audit(self, query: AuditQuery) -> tuple[list[AuditEntry], int]:
        """Audit entries matching the filters, newest first, and how many match in all."""
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
        entries = [
            AuditEntry(
                id=r.id, at=r.at, domain=r.domain, action=r.action, outcome=r.outcome, actor_id=r.actor_id,
                actor_email=r.actor_email, target_type=r.target_type, target_id=r.target_id, source_ip=r.source_ip,
                details=r.details,
            )
            for r in rows
        ]  # fmt: skip
        return entries, total


def _in_force(now: datetime) -> ColumnElement[bool]:
    """Grants not revoked and not expired."""
    return and_(
        RoleGrantRow.revoked_at.is_(None), or_(RoleGrantRow.expires_at.is_(None), RoleGrantRow.expires_at > now)
    )


def _stored(row: ExternalCredentialRow) -> StoredCredential:
    return StoredCredential(service_id=row.service_id, created_at=row.created_at, updated_at=row.updated_at)


def _grant(row: RoleGrantRow) -> RoleGrant:
    return RoleGrant(
        id=row.id,
        role=Role(row.role),
        service_id=row.service_id,
        expires_at=row.expires_at,
        granted_by=row.granted_by,
        granted_at=row.granted_at,
        revoked_at=row.revoked_at,
    )


def _token(row: ApiTokenRow) -> ApiToken:
    return ApiToken(
        id=row.id,
        name=row.name,
        prefix=f"fip_{row.id}",
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )

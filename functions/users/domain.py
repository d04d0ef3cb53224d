"""The users domain's own objects: what its data access answers and its logic works with. Logic maps
them to the API's models (`users.models`); nothing here knows HTTP, SQL or AWS."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from fip_core.access import Role
from fip_core.audit import AuditRecord

# Roles whose holders must sign in with a second factor (TOTP): they change what every user sees.
PRIVILEGED_ROLES = frozenset({Role.ADMIN, Role.SERVICE_ADMIN})


class Challenge(StrEnum):
    """A step sign-in asks for before it hands out tokens."""

    TOTP = "SOFTWARE_TOKEN_MFA"  # the current code of the user's authenticator app
    NEW_PASSWORD = "NEW_PASSWORD_REQUIRED"  # noqa: S105 - a challenge's name: an admin-made account sets its password


class UserStatus(StrEnum):
    """Where an account stands: signed up, confirmed, or disabled by an admin."""

    UNCONFIRMED = "unconfirmed"
    ACTIVE = "active"
    DISABLED = "disabled"


@dataclass(frozen=True)
class User:
    """A user's profile, keyed by the Cognito `sub`."""

    id: str
    email: str
    name: str | None
    institution: str | None
    department: str | None
    country: str | None
    status: UserStatus
    created_at: datetime
    updated_at: datetime
    sessions_revoked_at: datetime | None  # Cognito tokens issued before this no longer count


@dataclass(frozen=True)
class NewProfile:
    """What a user tells about themselves at sign-up (or what a repair knows of them)."""

    name: str | None = None
    institution: str | None = None
    department: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class StoredGrant:
    """A role held by a user, perhaps for one service, perhaps until a moment; revoked ones are kept."""

    id: str
    user_id: str
    role: Role
    service_id: str | None
    expires_at: datetime | None
    granted_by: str | None
    granted_at: datetime
    revoked_at: datetime | None

    def in_force(self, now: datetime) -> bool:
        """Whether the grant gives its role now."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


@dataclass(frozen=True)
class StoredToken:
    """A personal API token as kept: the hash of its secret, never the secret."""

    id: str
    user_id: str
    name: str
    secret_hash: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class EncryptedCredential:
    """A user's token for one external service, as its KMS ciphertext."""

    user_id: str
    service_id: str
    ciphertext: bytes
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class KeptAuditRecord:
    """An audit record as the log keeps it, under its id (an event's id, when another domain sent it)."""

    id: str
    record: AuditRecord


@dataclass(frozen=True)
class AuditQuery:
    """Filters of the audit log."""

    actor_id: str | None = None
    action: str | None = None
    domain: str | None = None
    since: datetime | None = None
    limit: int = 100
    offset: int = 0


@dataclass(frozen=True)
class Page[T]:
    """Some of the items that match, and how many match in all."""

    items: list[T]
    total: int

"""The users domain's tables. Alembic migrations in `users/migrations` create them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, MetaData, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from fip_core.database import NAMING_CONVENTION, UtcDateTime
from fip_core.events import event_tables


class Base(DeclarativeBase):
    """Declarative base carrying the users domain's metadata."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JSON}


class UserRow(Base):
    """A user, keyed by the Cognito `sub`."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    institution: Mapped[str | None] = mapped_column(String(200))
    department: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # signing out everywhere (a password reset or change, an admin disabling the account): the authorizer
    # refuses Cognito tokens issued before this moment, which Cognito itself would still call valid
    sessions_revoked_at: Mapped[datetime | None]


class RoleGrantRow(Base):
    """A role held by a user; revoked grants are kept for the record."""

    __tablename__ = "role_grants"
    __table_args__ = (Index("ix_role_grants_user", "user_id", "revoked_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(32))
    service_id: Mapped[str | None] = mapped_column(String(36))
    expires_at: Mapped[datetime | None]
    granted_by: Mapped[str | None] = mapped_column(String(64))
    granted_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class ApiTokenRow(Base):
    """A personal API token: only a hash of its secret part is kept."""

    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_user", "user_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class ExternalCredentialRow(Base):
    """A user's token for one external imputation service, encrypted with KMS."""

    __tablename__ = "external_credentials"
    __table_args__ = (UniqueConstraint("user_id", "service_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    service_id: Mapped[str] = mapped_column(String(36))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class AuditEventRow(Base):
    """One audited action, of any domain; rows are only ever added."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_at", "at"), Index("ix_audit_events_actor", "actor_id", "at"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    at: Mapped[datetime]
    domain: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str | None] = mapped_column(String(64))
    actor_email: Mapped[str | None] = mapped_column(String(254))
    target_type: Mapped[str | None] = mapped_column(String(64))
    target_id: Mapped[str | None] = mapped_column(String(254))
    source_ip: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)


EVENTS = event_tables(Base.metadata)
metadata = Base.metadata

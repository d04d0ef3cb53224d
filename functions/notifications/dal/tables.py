"""The notifications domain's tables. Alembic migrations in `notifications/migrations` create them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from fip_core.database import NAMING_CONVENTION, UtcDateTime
from fip_core.events import event_tables


class Base(DeclarativeBase):
    """Declarative base carrying the notifications domain's metadata."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JSON}


class MessageRow(Base):
    """Something to tell people, made once from one event in the transaction that records the event;
    dispatched afterwards to its recipients' in-app notifications and email."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_undispatched", "dispatched_at", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str | None] = mapped_column(String(128))  # None: every admin
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    occurred_at: Mapped[datetime]
    created_at: Mapped[datetime]
    dispatched_at: Mapped[datetime | None]


class NotificationRow(Base):
    """An in-app notification: one per message and recipient."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("message_id", "user_id"),
        Index("ix_notifications_owner_created", "user_id", "created_at"),
        Index("ix_notifications_owner_unread", "user_id", "read_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(36))
    user_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(1024))
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]


class DeliveryRow(Base):
    """An email to one recipient of a message: what was sent, to whom, how it went."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("message_id", "user_id"),
        Index("ix_deliveries_status", "status", "updated_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(36))
    user_id: Mapped[str] = mapped_column(String(128))
    address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # pending, sending, sent, failed, suppressed
    attempts: Mapped[int] = mapped_column(Integer)
    provider_id: Mapped[str | None] = mapped_column(String(255))  # SES's message id
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class PreferenceRow(Base):
    """How a user wants one kind of message; a kind without a row gets its default."""

    __tablename__ = "preferences"

    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))  # email, in_app, both, none
    updated_at: Mapped[datetime]


class SuppressionRow(Base):
    """An address that bounced for good or complained: no email goes to it any more."""

    __tablename__ = "suppressions"

    address: Mapped[str] = mapped_column(String(320), primary_key=True)  # lower case
    reason: Mapped[str] = mapped_column(String(16))  # bounce, complaint
    detail: Mapped[str | None] = mapped_column(Text)
    feedback_id: Mapped[str | None] = mapped_column(String(255))
    suppressed_at: Mapped[datetime]


class JobProgressRow(Base):
    """The newest transition of a job seen so far: an older one, arriving late, tells nobody anything."""

    __tablename__ = "job_progress"

    job_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime]


EVENTS = event_tables(Base.metadata)
metadata = Base.metadata

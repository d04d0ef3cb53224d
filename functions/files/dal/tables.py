"""The files domain's tables. Alembic migrations in `files/migrations` create them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from fip_core.database import NAMING_CONVENTION, UtcDateTime
from fip_core.events import event_tables


class Base(DeclarativeBase):
    """Declarative base carrying the files domain's metadata."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UtcDateTime(),
        dict[str, Any]: JSON,
        list[dict[str, Any]]: JSON,
        list[str]: JSON,
    }


class FileRow(Base):
    """A genotype file: an upload under way or done, its validation, its expiry."""

    __tablename__ = "files"
    __table_args__ = (
        Index("ix_files_owner_created", "user_id", "created_at"),
        Index("ix_files_expiry", "deleted_at", "expires_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))  # input, result
    job_id: Mapped[str | None] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    key: Mapped[str] = mapped_column(String(1024), unique=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    build: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    upload_id: Mapped[str | None] = mapped_column(String(1024))
    part_size: Mapped[int] = mapped_column(BigInteger)
    findings: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    validated_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]
    expiry_warned_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    # the owner's narrowing of the platform's residency policy: [] leaves that axis as the platform has it
    allowed_countries: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    allowed_services: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")


class FileActionRow(Base):
    """What was done with a file that is worth keeping: each download, each deletion (by whom, when)."""

    __tablename__ = "file_actions"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    file_id: Mapped[str] = mapped_column(String(36), index=True)
    actor: Mapped[str] = mapped_column(String(128))  # a user's id, or `retention`
    action: Mapped[str] = mapped_column(String(16))  # download, delete, expire
    at: Mapped[datetime]
    detail: Mapped[str | None] = mapped_column(Text)


class FileRecipientRow(Base):
    """A service a file was sent to (a link to it handed over for a job's submission), and when."""

    __tablename__ = "file_recipients"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    file_id: Mapped[str] = mapped_column(String(36), index=True)
    service_id: Mapped[str] = mapped_column(String(36))
    service_name: Mapped[str] = mapped_column(String(255))
    job_id: Mapped[str] = mapped_column(String(36))
    at: Mapped[datetime]


EVENTS = event_tables(Base.metadata)
metadata = Base.metadata

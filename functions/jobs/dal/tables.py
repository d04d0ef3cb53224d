"""The jobs domain's tables. Alembic migrations in `jobs/migrations` create them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from fip_core.database import NAMING_CONVENTION, UtcDateTime
from fip_core.events import event_tables


class Base(DeclarativeBase):
    """Declarative base carrying the jobs domain's metadata."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime(), list[str]: JSON, list[dict[str, Any]]: JSON, dict[str, Any]: JSON}


class JobRow(Base):
    """An imputation job on one service: what was asked, where it stands, when it is polled next."""

    __tablename__ = "jobs"
    __table_args__ = (
        # a retried POST finds the first job by its key; two at once clash here rather than make two jobs
        UniqueConstraint("user_id", "idempotency_key"),
        Index("ix_jobs_owner_created", "user_id", "created_at"),
        Index("ix_jobs_due", "next_poll_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(255))
    idempotency_key: Mapped[str] = mapped_column(String(255))
    request_digest: Mapped[str] = mapped_column(String(64))
    service_id: Mapped[str] = mapped_column(String(36), index=True)
    service_name: Mapped[str] = mapped_column(String(255))
    api_type: Mapped[str] = mapped_column(String(16))
    panel: Mapped[str] = mapped_column(String(255))
    build: Mapped[str] = mapped_column(String(8))
    phasing: Mapped[str] = mapped_column(String(32))
    population: Mapped[str | None] = mapped_column(String(64))
    r2_filter: Mapped[float | None] = mapped_column(Float)
    mode: Mapped[str] = mapped_column(String(16))
    file_ids: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    revision: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    progress: Mapped[int | None] = mapped_column(Integer)
    external_id: Mapped[str | None] = mapped_column(String(255))
    position_in_queue: Mapped[int | None] = mapped_column(Integer)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    waiting_reason: Mapped[str | None] = mapped_column(Text)
    stalled: Mapped[bool] = mapped_column(Boolean)
    last_news_at: Mapped[datetime]
    next_poll_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    retry_of: Mapped[str | None] = mapped_column(String(36), index=True)
    outputs_due_at: Mapped[datetime | None] = mapped_column(index=True)
    password_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    target: Mapped[str] = mapped_column(String(16), server_default="service")
    parent_id: Mapped[str | None] = mapped_column(String(36), index=True)
    routing: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class JobTransitionRow(Base):
    """One transition of a job: its history, one row per revision (a second writer of it clashes)."""

    __tablename__ = "job_transitions"
    __table_args__ = (UniqueConstraint("job_id", "revision"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    job_id: Mapped[str] = mapped_column(String(36))
    revision: Mapped[int] = mapped_column(Integer)
    previous_status: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(Text)


class JobOutputRow(Base):
    """One result file of a completed job, and its copy in the files domain (one row per name)."""

    __tablename__ = "job_outputs"
    __table_args__ = (UniqueConstraint("job_id", "name"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    job_id: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(1024))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    file_id: Mapped[str | None] = mapped_column(String(36))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]


EVENTS = event_tables(Base.metadata)
metadata = Base.metadata

"""The registry's tables. Alembic migrations in `registry/migrations` create them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from fip_core.database import NAMING_CONVENTION, UtcDateTime
from fip_core.events import event_tables


class Base(DeclarativeBase):
    """Declarative base carrying the registry's metadata."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JSON, list[str]: JSON}


class ServiceRow(Base):
    """An imputation service and its current health."""

    __tablename__ = "imputation_services"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    api_type: Mapped[str] = mapped_column(String(20))
    base_url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str] = mapped_column(Text, default="")
    institution: Mapped[str | None] = mapped_column(String(200))
    institution_url: Mapped[str | None] = mapped_column(String(2048))
    documentation_url: Mapped[str | None] = mapped_column(String(2048))
    contact_url: Mapped[str | None] = mapped_column(String(500))
    country: Mapped[str | None] = mapped_column(String(2))
    city: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    supported_builds: Mapped[list[str]] = mapped_column(JSON)
    max_upload_size_mb: Mapped[int | None] = mapped_column(Integer)
    requires_user_token: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    deactivated_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    health_status: Mapped[str] = mapped_column(String(16), default="unknown")
    response_time_ms: Mapped[float | None] = mapped_column(Float)
    last_checked_at: Mapped[datetime | None]
    next_check_at: Mapped[datetime | None] = mapped_column(index=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    unhealthy_since: Mapped[datetime | None]
    # the `unhealthy_since` of the spell of ill health a ServiceAtRisk was queued for: once per spell, and
    # a new spell (another `unhealthy_since`, after a recovery) is warned about again
    at_risk_spell: Mapped[datetime | None]
    queue_load: Mapped[int | None] = mapped_column(Integer)
    probe_details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    workflow: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # a WES service's WesWorkflow


class PanelRow(Base):
    """A reference panel of one service."""

    __tablename__ = "reference_panels"
    __table_args__ = (UniqueConstraint("service_id", "slug"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("imputation_services.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(200))
    build: Mapped[str] = mapped_column(String(8))
    populations: Mapped[list[str]] = mapped_column(JSON)
    sample_count: Mapped[int | None] = mapped_column(Integer)
    is_available: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class HealthCheckRow(Base):
    """One check of one service; rows are only ever added (and pruned after the retention period)."""

    __tablename__ = "health_checks"
    __table_args__ = (
        Index("ix_health_checks_service_time", "service_id", "checked_at"),
        Index("ix_health_checks_checked_at", "checked_at"),  # pruning, and uptime over all services
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("imputation_services.id", ondelete="CASCADE"))
    checked_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))
    response_time_ms: Mapped[float | None] = mapped_column(Float)
    http_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    checked_url: Mapped[str] = mapped_column(String(2048))


class ResidencyPolicyRow(Base):
    """The platform's residency policy: one row (id 1) once an administrator has set it; none means no
    restriction."""

    __tablename__ = "residency_policy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    allowed_countries: Mapped[list[str]] = mapped_column(JSON)
    allowed_services: Mapped[list[str]] = mapped_column(JSON)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(128))


EVENTS = event_tables(Base.metadata)
metadata = Base.metadata

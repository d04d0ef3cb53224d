"""The monitoring domain's tables. Alembic migrations in `monitoring/migrations` create them.

Dashboards read aggregates, never the raw events: counters of jobs by status (platform, per user,
per service), daily rollups of jobs' outcomes with histograms of turnaround and queue time, and
hourly rollups of each service's checks with a histogram of response times. Every aggregate is a
count that events add to (`count = count + n`, one upsert), so concurrent deliveries never lose an
update and a batch of events folds into a few statements.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from fip_core.database import NAMING_CONVENTION, UtcDateTime
from fip_core.events import event_tables


class Base(DeclarativeBase):
    """Declarative base carrying the monitoring domain's metadata."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime(), date: Date()}


class JobRow(Base):
    """A job as its events told it: the newest status by revision, and when it reached each stage (from
    the newest transition to that stage), whatever order the events came in."""

    __tablename__ = "jobs"

    job_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128))
    parent_id: Mapped[str | None] = mapped_column(String(64))
    service_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    revision: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    changed_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    submitted_revision: Mapped[int | None] = mapped_column(Integer)
    queued_at: Mapped[datetime | None]
    queued_revision: Mapped[int | None] = mapped_column(Integer)
    running_at: Mapped[datetime | None]
    running_revision: Mapped[int | None] = mapped_column(Integer)
    finished_at: Mapped[datetime | None]  # completed, failed or cancelled
    finished_revision: Mapped[int | None] = mapped_column(Integer)


class JobCountRow(Base):
    """How many jobs are in a status now, in a scope: the platform (key ''), a user, a service."""

    __tablename__ = "job_counts"

    scope: Mapped[str] = mapped_column(String(8), primary_key=True)
    scope_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class JobDayRow(Base):
    """One day's figures of a scope (the platform, a user): jobs that ended completed, failed or
    cancelled that day (`bucket` -1), and histograms (`bucket` >= 0) of the turnaround of those that
    completed and of the queue time of those that started running that day."""

    __tablename__ = "job_days"
    __table_args__ = (Index("ix_job_days_day", "day"),)  # pruning

    scope: Mapped[str] = mapped_column(String(8), primary_key=True)
    scope_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    metric: Mapped[str] = mapped_column(String(16), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class ServiceRow(Base):
    """A service as the registry's events told it: its name, its newest status, and whether its
    deactivation is near."""

    __tablename__ = "services"

    service_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    slug: Mapped[str | None] = mapped_column(String(63))
    name: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    status_at: Mapped[datetime | None]  # the check that found it
    recovered_at: Mapped[datetime | None]  # the newest check that found it healthy
    deactivated_at: Mapped[datetime | None]
    at_risk_since: Mapped[datetime | None]  # the spell of ill health ServiceAtRisk warned about
    deactivates_at: Mapped[datetime | None]


class ServiceHourRow(Base):
    """One hour of a service's checks: how many, how many found it healthy."""

    __tablename__ = "service_hours"
    __table_args__ = (Index("ix_service_hours_hour", "hour"),)

    service_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hour: Mapped[datetime] = mapped_column(primary_key=True)
    checks: Mapped[int] = mapped_column(Integer)
    healthy: Mapped[int] = mapped_column(Integer)


class ServiceLatencyRow(Base):
    """One hour of a service's response times (of its healthy checks), as a log-spaced histogram."""

    __tablename__ = "service_latency"
    __table_args__ = (Index("ix_service_latency_hour", "hour"),)

    service_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hour: Mapped[datetime] = mapped_column(primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


EVENTS = event_tables(Base.metadata)
metadata = Base.metadata

"""The monitoring domain's objects: what data access hands to the logic and the logic maps to the API's
models. Plain frozen dataclasses, independent of tables and of the API's shapes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

JOB_STATUSES = ("pending", "submitted", "queued", "running", "completed", "failed", "cancelled")
OUTCOMES = ("completed", "failed", "cancelled")  # a job that ends, ends in one of these


class Scope(StrEnum):
    """Whose figures an aggregate holds."""

    PLATFORM = "platform"  # every job; its key is ''
    USER = "user"  # one owner's jobs (a multi-service job once, as its parent)
    SERVICE = "service"  # the jobs one service ran (a multi-service job's parts, each on its service)


class Metric(StrEnum):
    """What a row of a day's figures counts: jobs that ended one way, or a histogram bucket."""

    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TURNAROUND = "turnaround"  # seconds from created_at to completed, of the jobs completed that day
    QUEUE = "queue"  # seconds from submitted (or queued) to running, of the jobs that started that day


COUNT_BUCKET = -1  # a day's row that counts jobs rather than a histogram bucket


@dataclass(frozen=True)
class Stamp:
    """When a job reached a stage, from the newest transition to it (a retried job reaches it again)."""

    at: datetime
    revision: int


@dataclass(frozen=True)
class JobFacts:
    """A job as its events told it so far."""

    job_id: str
    user_id: str
    parent_id: str | None
    service_id: str | None
    status: str
    revision: int
    created_at: datetime
    changed_at: datetime
    submitted: Stamp | None = None
    queued: Stamp | None = None
    running: Stamp | None = None
    finished: Stamp | None = None  # completed, failed or cancelled


STAGES = ("submitted", "queued", "running", "finished")  # the stages a job's facts stamp, in order

# the keys of the aggregates events add to
type CountKey = tuple[Scope, str, str]  # scope, its key, status
type DayKey = tuple[Scope, str, date, Metric, int]  # scope, its key, day, metric, bucket
type HourKey = tuple[str, datetime]  # service, hour
type LatencyKey = tuple[str, datetime, int]  # service, hour, bucket


@dataclass(frozen=True)
class ServiceHour:
    """One hour of a service's checks."""

    service_id: str
    hour: datetime
    checks: int
    healthy: int


@dataclass(frozen=True)
class Uptime:
    """Checks and healthy checks of a service over the last 24 hours, 7 and 30 days."""

    checks: tuple[int, int, int]
    healthy: tuple[int, int, int]


@dataclass(frozen=True)
class ServiceFacts:
    """A service as the registry's events told it."""

    service_id: str
    slug: str | None
    name: str | None
    status: str
    status_at: datetime | None
    recovered_at: datetime | None  # the newest check that found it healthy
    deactivated_at: datetime | None
    at_risk_since: datetime | None
    deactivates_at: datetime | None

    @property
    def active(self) -> bool:
        """Whether it is in use: never deactivated, or checked since (an admin reactivated it)."""
        return self.deactivated_at is None or (self.status_at is not None and self.status_at > self.deactivated_at)

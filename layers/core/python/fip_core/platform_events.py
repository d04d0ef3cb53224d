"""The platform's domain events: each a pydantic model with a name and a version, published and
consumed through the same model.

The models live in the shared layer because a subscriber never imports the publishing domain's
code. On the bus an event is `detail-type: <name>` with the detail

    {"metadata": {"event_id", "name", "version", "domain", "occurred_at"}, "data": {<the model's fields>}}

A change that an old subscriber could not read (a field removed, renamed or retyped) is a new
version: a new model with the same name and `version + 1`, published beside the old one until
every subscriber reads it. Adding an optional field keeps the version: subscribers ignore fields
they do not know.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from fip_core.audit import AuditRecord


class DomainEvent(BaseModel):
    """What happened in a domain that other domains may react to; subclasses set `name` and `version`."""

    # subscribers read with the publisher's model: unknown fields (a newer publisher's) are ignored
    model_config = ConfigDict(frozen=True, extra="ignore")

    name: ClassVar[str]
    version: ClassVar[int] = 1

    @classmethod
    def key(cls) -> tuple[str, int]:
        """`(name, version)`: what tells two events apart on the bus."""
        return cls.name, cls.version


class EventMetadata(BaseModel):
    """The envelope of every event on the bus."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_id: str = Field(description="Unique per event: subscribers apply an event once by it.")
    name: str = Field(description="The event's name, also its detail-type.")
    version: int = Field(ge=1, description="The version of the event's model; a new one for a breaking change.")
    domain: str = Field(description="The publishing domain; also the event's source, `fip.<domain>`.")
    occurred_at: datetime = Field(description="When the change it describes was committed.")


def event_detail(event: DomainEvent, metadata: EventMetadata) -> dict[str, Any]:
    """The EventBridge detail of an event: its envelope and its data, as JSON values."""
    return {"metadata": metadata.model_dump(mode="json"), "data": event.model_dump(mode="json")}


# --- registry ------------------------------------------------------------------------------------

HealthStatusName = Literal["healthy", "unhealthy", "unknown"]


class ServiceHealthChanged(DomainEvent):
    """A check found an imputation service in another health status than the check before."""

    name: ClassVar[str] = "ServiceHealthChanged"

    service_id: str = Field(description="The service's id in the registry.")
    slug: str
    service_name: str
    previous_status: HealthStatusName
    status: HealthStatusName
    checked_at: datetime = Field(description="When the check that found the change ran.")
    response_time_ms: float | None = Field(default=None, description="How long the service took to answer.")
    error: str | None = Field(default=None, description="The check's short error class when unhealthy.")


class ServiceDeactivated(DomainEvent):
    """An imputation service was taken out of use, by an admin or after being down too long."""

    name: ClassVar[str] = "ServiceDeactivated"

    service_id: str = Field(description="The service's id in the registry.")
    slug: str
    service_name: str
    reason: str = Field(description="Why, in words for people.")


class ServiceAtRisk(DomainEvent):
    """A service has been unhealthy so long that the registry will deactivate it soon, unless it recovers.

    Published once per spell of ill health, when the spell enters its last days (by default a service
    unhealthy for 25 of the 30 days after which it is deactivated)."""

    name: ClassVar[str] = "ServiceAtRisk"

    service_id: str = Field(description="The service's id in the registry.")
    slug: str
    service_name: str
    unhealthy_since: datetime = Field(description="When the service was first found unhealthy in this spell.")
    deactivates_at: datetime = Field(description="When the registry will deactivate it if it stays unhealthy.")


class ServiceCheck(BaseModel):
    """The outcome of one health check of one service."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    service_id: str = Field(description="The service's id in the registry.")
    status: HealthStatusName
    checked_at: datetime
    response_time_ms: float | None = Field(default=None, description="How long the service took to answer.")


class ServicesChecked(DomainEvent):
    """The outcomes of one round of health checks (a sweep, or an admin's check now), changed or not:
    what uptime and response-time percentiles are computed from. One event per round, not per check."""

    name: ClassVar[str] = "ServicesChecked"

    checks: list[ServiceCheck] = Field(description="Every check of the round, one per service checked.")


# --- users ---------------------------------------------------------------------------------------


class UserRegistered(DomainEvent):
    """A person confirmed their email address: their account is active."""

    name: ClassVar[str] = "UserRegistered"

    user_id: str = Field(description="The user's id (their Cognito `sub`).")
    email: str
    registered_at: datetime = Field(description="When the account became active.")


# --- files ---------------------------------------------------------------------------------------

FileStatusName = Literal["valid", "invalid"]


class FileValidated(DomainEvent):
    """An uploaded genotype file was validated: whether an imputation server would accept it."""

    name: ClassVar[str] = "FileValidated"

    file_id: str = Field(description="The file's id in the files domain.")
    user_id: str = Field(description="Who uploaded it.")
    filename: str
    status: FileStatusName = Field(description="`valid`: no finding is an error.")
    errors: int = Field(ge=0, description="How many findings are errors.")
    warnings: int = Field(ge=0, description="How many findings are warnings.")
    rules: list[str] = Field(description="The rules of the findings, each once, e.g. `position.unsorted`.")
    validated_at: datetime


class FileExpiring(DomainEvent):
    """A file will be deleted soon (48 hours before, by default), by the retention policy."""

    name: ClassVar[str] = "FileExpiring"

    file_id: str = Field(description="The file's id in the files domain.")
    user_id: str = Field(description="Whose file it is.")
    filename: str
    kind: Literal["input", "result"] = Field(description="An upload, or a job's result.")
    expires_at: datetime = Field(description="When it will be deleted.")


# --- jobs ----------------------------------------------------------------------------------------

JobStatusName = Literal["pending", "submitted", "queued", "running", "completed", "failed", "cancelled"]


class JobStatusChanged(DomainEvent):
    """An imputation job moved from one status to another: one event per transition, written in the
    transaction that made it. `revision` grows by one with every transition of the job, so a
    subscriber that receives events late or twice keeps the newest state and ignores the rest."""

    name: ClassVar[str] = "JobStatusChanged"

    job_id: str = Field(description="The job's id in the jobs domain.")
    user_id: str = Field(description="Who submitted it.")
    job_name: str = Field(description="The name its owner gave it.")
    parent_id: str | None = Field(default=None, description="The multi-service job this one is a child of.")
    service_id: str | None = Field(default=None, description="The service running it (none before routing).")
    service_name: str | None = None
    previous_status: JobStatusName | None = Field(description="None for the job's first status.")
    status: JobStatusName
    revision: int = Field(ge=1, description="The job's transition count: newer events have higher revisions.")
    progress: int | None = Field(default=None, ge=0, le=100, description="Percent done, where the service says.")
    error: str | None = Field(default=None, description="Why it failed, in the service's words and ours.")
    created_at: datetime = Field(description="When the job was submitted to the platform (for turnaround).")
    changed_at: datetime = Field(description="When this transition happened.")


# --- every domain --------------------------------------------------------------------------------


class AuditRecorded(AuditRecord, DomainEvent):
    """An action worth keeping in the audit log, sent by the domain it happened in; the users
    domain keeps it, and only when `domain` is the domain that sent it."""

    name: ClassVar[str] = "AuditRecorded"

    @classmethod
    def of(cls, record: AuditRecord) -> AuditRecorded:
        """The event that carries a record."""
        return cls(**record.model_dump())

    def record(self) -> AuditRecord:
        """The record the event carries."""
        return AuditRecord.model_validate(self.model_dump())


PLATFORM_EVENTS: tuple[type[DomainEvent], ...] = (
    ServiceHealthChanged,
    ServiceDeactivated,
    ServiceAtRisk,
    ServicesChecked,
    UserRegistered,
    FileValidated,
    FileExpiring,
    JobStatusChanged,
    AuditRecorded,
)

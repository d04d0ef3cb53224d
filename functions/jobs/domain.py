"""The jobs domain's objects, as data access hands them to the logic."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class JobStatus(StrEnum):
    """Where a job stands on the platform (the values of `JobStatusChanged.status`)."""

    PENDING = "pending"  # accepted by the platform, not yet handed to its service
    SUBMITTED = "submitted"  # the service took it and gave it an id
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        """Whether the job will not change status any more."""
        return self in FINISHED


FINISHED = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED})


class Target(StrEnum):
    """How a request named where its job runs."""

    SERVICE = "service"  # one service, by id
    AUTO = "auto"  # the registry's best-ranked service that takes it, the next one on a refusal
    SERVICES = "services"  # several: a parent job with one child per service


@dataclass(frozen=True)
class JobRecord:
    """One imputation job, as stored. `revision` counts its transitions (the events' revision);
    `version` counts every change of the row, the optimistic lock each update is conditioned on."""

    id: str
    user_id: str
    name: str
    idempotency_key: str
    request_digest: str  # sha256 of the request body: a repeated key with another body is refused
    service_id: str
    service_name: str
    api_type: str
    panel: str
    build: str
    phasing: str
    population: str | None
    r2_filter: float | None
    mode: str
    file_ids: list[str]
    status: JobStatus
    revision: int
    version: int
    progress: int | None
    external_id: str | None
    position_in_queue: int | None
    steps: list[dict[str, Any]]
    error: str | None
    waiting_reason: str | None  # the service holds the job for a reason of its own (maintenance, its job cap)
    stalled: bool  # no news from the service for longer than the settings allow
    last_news_at: datetime  # when the service last told something new (or the job was created)
    next_poll_at: datetime | None  # None once finished: a finished job is not polled
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    retry_of: str | None = None  # the failed or cancelled job this one tries again
    outputs_due_at: datetime | None = None  # when its outputs are next copied in; None: nothing to copy
    password_ciphertext: bytes | None = field(default=None, repr=False)  # the result archives' password, encrypted
    target: str = "service"  # how the request named its service: one id, `auto`, or several (a family)
    parent_id: str | None = None  # the family (a request naming several services) this job is a child of
    routing: dict[str, Any] | None = None  # `auto`: the ranking it chose from and each attempt; a family: its services

    @property
    def lock_order(self) -> tuple[str, str]:
        """Where the job's row comes in the one order every transaction changes rows in: by family (a
        child's changes lock its parent first), then by id."""
        return (self.parent_id or self.id, self.id)

    @property
    def is_family(self) -> bool:
        """Whether this is the parent of a multi-service job: it runs nowhere, its children do."""
        return self.target == Target.SERVICES

    @classmethod
    def pending(cls, now: datetime, **asked: Any) -> JobRecord:
        """A new job as asked (its id, owner, key, service and request), pending and due to be handed to
        its service at once, before any transition."""
        return cls(
            **asked,
            status=JobStatus.PENDING,
            revision=1,
            version=1,
            progress=None,
            external_id=None,
            position_in_queue=None,
            steps=[],
            error=None,
            waiting_reason=None,
            stalled=False,
            last_news_at=now,
            next_poll_at=now,
            created_at=now,
            updated_at=now,
            finished_at=None,
        )


@dataclass(frozen=True)
class Transition:
    """One entry of a job's history."""

    revision: int
    previous_status: JobStatus | None
    status: JobStatus
    at: datetime
    reason: str | None


class OutputStatus(StrEnum):
    """Where the copy of one result file into the files domain stands."""

    STORED = "stored"  # in the files domain, downloadable there
    FAILED = "failed"  # the last copy failed: tried again while attempts remain


@dataclass(frozen=True)
class JobOutput:
    """One result file of a completed job and its copy in the files domain."""

    job_id: str
    name: str
    status: OutputStatus
    attempts: int
    file_id: str | None
    size_bytes: int | None
    error: str | None
    updated_at: datetime

"""What the jobs API answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

JobStatusName = Literal["pending", "submitted", "queued", "running", "completed", "failed", "cancelled"]


class StepMessage(BaseModel):
    """One message the service logged for a step, in its own words."""

    text: str
    level: Literal["info", "warning", "error", "running"]
    time: datetime | None = None


class StepView(BaseModel):
    """One step of the job as its service reports it."""

    name: str
    messages: list[StepMessage]


class TransitionView(BaseModel):
    """One entry of a job's history."""

    revision: int = Field(description="1 for the job's first status; one more for each transition.")
    previous_status: JobStatusName | None
    status: JobStatusName
    at: datetime
    reason: str | None = Field(description="Why it moved: what the service reported, or who asked.")


class ServiceRef(BaseModel):
    """The service a job runs on."""

    id: UUID
    name: str
    api_type: str


class JobSummary(BaseModel):
    """A job as listed. A job sent to several services is a parent whose status follows its children's:
    while any is unfinished, the furthest along of them (pending < submitted < queued < running, a finished
    child counting as running); once all have finished, `completed` if any completed (each child says
    how it ended), else `failed` if any failed, else `cancelled`."""

    id: UUID
    name: str
    status: JobStatusName
    progress: int | None = Field(
        description="Percent done (0-100), where the service says; a multi-service job's is its children's mean."
    )
    service: ServiceRef | None = Field(
        description="The service it runs on (for `auto`, the one chosen: see `routing`); null for a job sent to "
        "several services, whose `children` each name theirs."
    )
    parent_id: UUID | None = Field(default=None, description="The multi-service job this one is a child of.")
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None


class RankedChoice(BaseModel):
    """A service the registry ranked for the job (`GET /services/discover`), and whether `auto` may use it."""

    service_id: UUID
    name: str
    rank: int | None = Field(description="The registry's rank, 1 the best; null when ranked out.")
    score: float | None = Field(description="0 to 100; null when ranked out.")
    panel: str = Field(description="The panel's name on that service.")
    reasons: list[str] = Field(description="Why it scored so: health, queue load, latency, distance, panel match.")
    skipped: str | None = Field(description="Why `auto` does not send the job there; null when it may.")


class RoutingAttempt(BaseModel):
    """A service `auto` sent the job to that refused it (or could no longer be tried)."""

    service_id: UUID
    service_name: str
    at: datetime
    refused: str = Field(description="Why, in the service's words and ours.")


class Routing(BaseModel):
    """How `auto` chose the job's service: the ranking best first (the job runs on the first service not
    skipped nor refused), and each attempt that was refused, after which it tried the next."""

    ranking: list[RankedChoice]
    attempts: list[RoutingAttempt]


class JobView(JobSummary):
    """A job, where it stands and how it got there."""

    panel: str
    build: str
    phasing: str
    population: str | None
    r2_filter: float | None
    mode: str
    file_ids: list[UUID]
    external_id: str | None = Field(description="The service's own id of the job, once the service took it.")
    position_in_queue: int | None
    waiting_for_service: str | None = Field(
        description="Why the service holds the job for now (maintenance, its cap on running jobs): not a failure."
    )
    stalled: bool = Field(description="The service has said nothing new about the job for longer than expected.")
    steps: list[StepView]
    error: str | None = Field(description="Why the job failed, in the service's words and ours.")
    history: list[TransitionView]
    retry_of: UUID | None = Field(default=None, description="The failed or cancelled job this one tries again.")
    children: list[JobSummary] = Field(
        default_factory=list,
        description="For a job sent to several services: one job per service, each with its own status, "
        "external id and outputs, in the order the request named them. Cancelling the parent cancels them.",
    )
    routing: Routing | None = Field(
        default=None, description="For `auto`: the ranking the service was chosen from, and each refused attempt."
    )


class JobPage(BaseModel):
    """One page of the caller's jobs, newest first."""

    items: list[JobSummary]
    total: int
    limit: int
    offset: int


class JobCreate(BaseModel):
    """A job to run on one imputation service, on several at once, or on the best one (`auto`)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="Your name for the job.")
    service: UUID | Literal["auto"] | Annotated[list[UUID], Field(min_length=1, max_length=10)] = Field(
        description="The id of the service to run it on; a list of ids to run it on each (a parent job with a "
        "child per service, every service checked before any is stored); or `auto`: the registry's best-ranked "
        "service that can take it (`GET /services/discover`: healthy, least loaded, nearest, with the panel on "
        "the build, and your token stored where one is needed), and the next one if a service refuses it."
    )
    panel: str = Field(
        min_length=1,
        max_length=200,
        description="The panel's slug as the service knows it (`apps@1000g-phase-3-v5`), or its registry id.",
    )
    build: Literal["hg19", "hg38"] = Field(description="The genome build of the files.")
    phasing: str = Field(
        min_length=1, max_length=32, pattern=r"^[a-z0-9_-]+$", description="`eagle`, `beagle`, `no_phasing`..."
    )
    population: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    r2_filter: float | None = Field(default=None, ge=0, le=1, description="Drop imputed variants below this r².")
    mode: Literal["imputation", "qc_only"] = "imputation"
    file_ids: list[UUID] = Field(
        min_length=1, max_length=100, description="Validated files of yours, one chromosome each."
    )


class OutputView(BaseModel):
    """One result file of a job and its copy in the files domain."""

    name: str = Field(description="The file's name on the service.")
    status: Literal["stored", "failed"] = Field(description="`stored`: download it from the files domain.")
    file_id: UUID | None = Field(description="Its id in the files domain: GET /files/{file_id}/download.")
    size_bytes: int | None
    attempts: int = Field(description="How many copies of it were tried.")
    error: str | None = Field(description="Why the last copy failed.")


class JobOutputs(BaseModel):
    """A job's result files, copied into the files domain; for a job sent to several services, its
    children's (those of the children that completed)."""

    job_id: UUID
    state: Literal["none", "copying", "stored", "incomplete"] = Field(
        description="`none`: the job did not complete; `copying`: under way or to be tried again; "
        "`incomplete`: some files could not be copied."
    )
    items: list[OutputView]


class ArchivePassword(BaseModel):
    """The password that opens a job's result archives (the service encrypts them with it)."""

    password: str

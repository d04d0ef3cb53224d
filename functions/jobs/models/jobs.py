"""What the jobs API answers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
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
    """A job as listed."""

    id: UUID
    name: str
    status: JobStatusName
    progress: int | None = Field(description="Percent done (0-100), where the service says.")
    service: ServiceRef
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None


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


class JobPage(BaseModel):
    """One page of the caller's jobs, newest first."""

    items: list[JobSummary]
    total: int
    limit: int
    offset: int


class JobCreate(BaseModel):
    """A job to run on one imputation service."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="Your name for the job.")
    service: UUID | Literal["auto"] | list[UUID] = Field(
        description="The id of the service to run it on (`auto` and lists of services are not yet supported)."
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
    """A job's result files, copied into the files domain."""

    job_id: UUID
    state: Literal["none", "copying", "stored", "incomplete"] = Field(
        description="`none`: the job did not complete; `copying`: under way or to be tried again; "
        "`incomplete`: some files could not be copied."
    )
    items: list[OutputView]


class ArchivePassword(BaseModel):
    """The password that opens a job's result archives (the service encrypts them with it)."""

    password: str

"""What the jobs domain asks the internal `inputs` function, and what it answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from files.models.files import Build, FileStatus
from files.models.results import UserId


class RecipientRequest(BaseModel):
    """The service the links are for, and the job that sends the files there."""

    model_config = ConfigDict(extra="forbid")

    service_id: UUID
    service_name: str = Field(min_length=1, max_length=255)
    job_id: UUID


class InputsRequest(BaseModel):
    """The files a user wants to submit to an imputation service."""

    model_config = ConfigDict(extra="forbid")

    user_id: UserId = Field(description="Who submits: only their own files are answered.")
    file_ids: Annotated[list[UUID], Field(min_length=1, max_length=100)]
    links: bool = Field(default=True, description="False to check the files only, without presigning links.")
    recipient: RecipientRequest | None = Field(
        default=None, description="Where the linked files go: recorded on each file (`sent_to`) for ethics reports."
    )


class InputSummary(BaseModel):
    """What validation found in a file, as far as a submission needs it."""

    samples: int
    chromosome: str | None
    build_detected: Build | None


class SubmissionInput(BaseModel):
    """One requested file: whether it is the user's, its state, and a link to fetch it when it is valid."""

    id: UUID
    found: bool = Field(description="False when there is no such file of the user's (another's is not told apart).")
    status: FileStatus | None = None
    filename: str | None = None
    size_bytes: int | None = None
    build: Build | None = None
    summary: InputSummary | None = None
    allowed_countries: list[str] = Field(
        default_factory=list, description="The owner's narrowing of the residency policy: [] narrows nothing."
    )
    allowed_services: list[str] = Field(
        default_factory=list, description="The owner's narrowing of the residency policy: [] narrows nothing."
    )
    url: str | None = Field(default=None, description="A presigned HTTPS GET of the file, only when it is valid.")
    url_expires_at: datetime | None = None


class InputsAnswer(BaseModel):
    """The requested files, in the order asked."""

    files: list[SubmissionInput]

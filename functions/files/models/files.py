"""What the files API takes and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator, model_validator

from files.settings import S3_MAX_PARTS
from fip_core.countries import CountryCode
from fip_core.fields import Matching
from fip_core.residency import MAX_RULES, each_once

Filename = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        description="The file's name: letters, digits, `.`, `_`, `+`, `-`, e.g. `chr20.vcf.gz`.",
        examples=["chr20.vcf.gz"],
    ),
    Matching(
        r"^[A-Za-z0-9][A-Za-z0-9._+-]*$",
        "must be a plain file name: a letter or digit first, then letters, digits, '.', '_', '+' or '-' "
        "(no folders, spaces or other characters), e.g. chr20.vcf.gz",
    ),
]
Build = Literal["hg19", "hg38"]
FileStatus = Literal["uploading", "validating", "valid", "invalid", "stored"]
PartNumber = Annotated[StrictInt, Field(ge=1, le=S3_MAX_PARTS, description="1 for the first part.")]


class FileCreate(BaseModel):
    """A file about to be uploaded."""

    model_config = ConfigDict(extra="forbid")

    filename: Filename
    size_bytes: Annotated[StrictInt, Field(ge=0, description="Its exact size: the upload must be this many bytes.")]
    sha256: Annotated[
        str | None,
        Field(description="Its SHA-256 in lower-case hex, checked on arrival."),
        Matching(r"^[0-9a-f]{64}$", "must be the SHA-256 as 64 lower-case hex digits, as `sha256sum` prints it"),
    ] = None
    build: Build | None = Field(default=None, description="The genome build: hg19 names chromosomes 20, hg38 chr20.")
    allowed_countries: Annotated[list[CountryCode], Field(max_length=MAX_RULES)] = Field(
        default_factory=list,
        description="Narrow where jobs may send the file to services in these countries (ISO 3166-1 alpha-2), "
        "within the platform's residency policy (`GET /residency-policy`). Empty: as the platform allows.",
    )
    allowed_services: Annotated[list[UUID], Field(max_length=MAX_RULES)] = Field(
        default_factory=list,
        description="Narrow where jobs may send the file to these services (ids), within the platform's policy. "
        "Empty: as the platform allows.",
    )

    @model_validator(mode="after")
    def _narrowing(self) -> FileCreate:
        each_once(self.allowed_countries, self.allowed_services)
        return self


class UploadedPart(BaseModel):
    """A part as S3 answered its PUT: its number and the `ETag` header."""

    model_config = ConfigDict(extra="forbid")

    part_number: PartNumber
    etag: str = Field(min_length=1, max_length=128, pattern=r'^"?[0-9A-Za-z-]+"?$', description="The part's ETag.")


class Completion(BaseModel):
    """Every part of an upload, as uploaded."""

    model_config = ConfigDict(extra="forbid")

    parts: list[UploadedPart] = Field(min_length=1, max_length=S3_MAX_PARTS)

    @field_validator("parts")
    @classmethod
    def _each_once_in_order(cls, parts: list[UploadedPart]) -> list[UploadedPart]:
        numbers = [part.part_number for part in parts]
        if numbers != list(range(1, len(parts) + 1)):
            raise ValueError("must list every part once, in order from 1: [1, 2, ...]")
        return parts


class PartUrl(BaseModel):
    """Where to PUT one part (its bytes as the body); S3 answers the part's `ETag` header."""

    part_number: int
    url: str


class UploadPlan(BaseModel):
    """How to upload a file: every part is `part_size` bytes but the last."""

    part_size: int
    parts: list[PartUrl]
    expires_at: datetime = Field(description="When the part URLs stop working: ask GET /files/{id}/upload again.")


class ReceivedPart(BaseModel):
    """A part S3 has received."""

    part_number: int
    etag: str
    size_bytes: int


class FileCreated(BaseModel):
    """A new file, waiting for its parts."""

    id: UUID
    status: FileStatus
    upload: UploadPlan


class UploadState(BaseModel):
    """An upload to resume: the part URLs again, and the parts S3 already has."""

    id: UUID
    status: FileStatus
    upload: UploadPlan
    received: list[ReceivedPart]


class FindingView(BaseModel):
    """One problem the validation found: which rule, how bad, what and where, and how to fix it."""

    rule: str = Field(examples=["position.unsorted"])
    severity: Literal["error", "warning"]
    message: str
    fix: str
    line: int | None = None
    chromosome: str | None = None
    position: int | None = None
    sample: str | None = None


class SummaryView(BaseModel):
    """What the file holds, as far as it could be read."""

    chromosome: str | None
    build_detected: Build | None
    samples: int
    variants: int
    phased: bool | None
    first_position: int | None
    last_position: int | None
    size_bytes: int
    sha256: str | None


class SentTo(BaseModel):
    """A service the file was sent to for a job, and when (its link was handed over for that submission)."""

    service_id: UUID
    service_name: str
    job_id: UUID
    at: datetime


class FileView(BaseModel):
    """A file and what its validation found."""

    id: UUID
    filename: str
    kind: Literal["input", "result"] = Field(description="An upload, or a job's result.")
    job_id: str | None = Field(description="The job whose result it is.")
    status: FileStatus
    size_bytes: int
    sha256: str | None
    build: Build | None
    findings: list[FindingView]
    summary: SummaryView | None
    created_at: datetime
    validated_at: datetime | None
    expires_at: datetime = Field(description="When the retention policy deletes it.")
    allowed_countries: list[str] = Field(
        description="The owner's narrowing: jobs send the file only to services in these countries (and only "
        "where the platform's residency policy allows). Empty: as the platform allows."
    )
    allowed_services: list[UUID] = Field(
        description="The owner's narrowing: jobs send the file only to these services (and only where the "
        "platform's policy allows). Empty: as the platform allows."
    )
    sent_to: list[SentTo] = Field(
        default_factory=list, description="Every service the file was sent to, for which job and when, oldest first."
    )


class FilePage(BaseModel):
    """One page of the caller's files."""

    items: list[FileView]
    total: int = Field(description="How many files match in all.")
    limit: int
    offset: int


class Download(BaseModel):
    """A short-lived link to the file's content."""

    url: str
    expires_at: datetime

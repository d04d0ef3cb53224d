"""The files domain's objects, as data access hands them to the logic."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

FileKind = Literal["input", "result"]
# uploading: parts being sent; validating: uploaded, being read; valid / invalid: what the validator found.
# A job's result is `stored` once uploaded: it is the servers' output, not checked again.
FileStatus = Literal["uploading", "validating", "valid", "invalid", "stored"]


@dataclass(frozen=True)
class FileRecord:
    """One file, as stored."""

    id: str
    user_id: str
    kind: FileKind
    job_id: str | None
    filename: str
    key: str
    size_bytes: int
    sha256: str | None
    build: str | None
    status: FileStatus
    upload_id: str | None
    part_size: int
    findings: list[dict[str, Any]] | None
    summary: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime
    validated_at: datetime | None
    expires_at: datetime
    expiry_warned_at: datetime | None
    deleted_at: datetime | None
    # where the owner lets the file go, within the platform's residency policy: [] narrows nothing
    allowed_countries: list[str] = field(default_factory=list)
    allowed_services: list[str] = field(default_factory=list)

    @property
    def parts(self) -> int:
        """How many parts the upload has: the last may be smaller, an empty file is one empty part."""
        return max(1, -(-self.size_bytes // self.part_size))


@dataclass(frozen=True)
class Recipient:
    """A service a file was sent to (a link to it handed over for a job), and when: for ethics reports."""

    file_id: str
    service_id: str
    service_name: str
    job_id: str
    at: datetime

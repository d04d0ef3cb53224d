"""Validation of an uploaded file when S3 reports it created: streamed with ranged reads, split at
BGZF block boundaries into ranges validated at once when the file is large, findings and summary
stored, `FileValidated` published. Each S3 event is applied once, by its id."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from functools import partial
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from files.domain import FileRecord
from files.logic.ports import FilesAdapters
from files.settings import FilesSettings
from files.validation import (
    Finding,
    Limits,
    RangeRunner,
    RangeSource,
    Report,
    validate,
    validate_parallel,
)
from fip_core.platform_events import FileValidated
from fip_core.repository import DuplicateError

Outcome = Literal["validated", "stored", "duplicate", "unknown object", "already validated", "deleted meanwhile"]


class S3Object(BaseModel):
    """The object of an S3 event."""

    model_config = ConfigDict(extra="ignore")

    key: str = Field(min_length=1)
    size: int = Field(ge=0)


class ObjectCreated(BaseModel):
    """What an `Object Created` event (on EventBridge) says, as far as validation needs it."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    id: str = Field(min_length=1, max_length=64)
    detail_type: str = Field(alias="detail-type")
    source: str
    object: S3Object

    @classmethod
    def of(cls, event: dict[str, Any]) -> ObjectCreated:
        """Read an EventBridge event from S3."""
        detail = event.get("detail") or {}
        return cls.model_validate({**event, "object": detail.get("object")})


def limits_of(settings: FilesSettings) -> Limits:
    """The validator's limits the settings describe."""
    return Limits(min_samples=settings.min_samples, max_samples=settings.max_samples)


def run_validation(
    source: RangeSource, settings: FilesSettings, build: Any, elsewhere: RangeRunner | None = None
) -> Report:
    """Validate a source in one pass, or, above the split size, in ranges at block boundaries merged
    into the report one pass gives: the ranges validated `elsewhere` (other invocations, each with a
    processor of its own) when given, else on threads here."""
    limits = limits_of(settings)
    if source.size == 0:
        return validate(io.BytesIO(b""), limits, build)
    parts = settings.ranges_for(source.size)
    if parts == 1:
        with source.open_at(0) as stream:
            return validate(stream, limits, build)
    if elsewhere is not None:
        return validate_parallel(source, limits, build, parts=parts, elsewhere=elsewhere)
    with ThreadPoolExecutor(parts) as pool:
        return validate_parallel(source, limits, build, parts=parts, run=pool.map)


def on_object_created(adapters: FilesAdapters, settings: FilesSettings, event: dict[str, Any]) -> Outcome:
    """Apply one `Object Created` event: validate the input it names (a result is only noted stored)."""
    created = ObjectCreated.of(event)
    now = adapters.clock()
    with adapters.transaction() as repo:
        if repo.applied(created.id):
            return "duplicate"
        record = repo.files.by_key(created.object.key)
        if record is None or record.kind == "result" or record.status in ("valid", "invalid"):
            repo.mark_applied(created.id, created.detail_type, created.source, now)
            if record is None:
                return "unknown object"  # deleted since, or not registered: nothing to validate
            if record.kind == "result":
                repo.files.change(record.id, now, status="stored", upload_id=None)
                return "stored"
            return "already validated"
        repo.files.change(record.id, now, status="validating", upload_id=None)
    key, size = created.object.key, created.object.size
    elsewhere = None if adapters.ranges is None else partial(adapters.ranges, key, size)
    report = run_validation(adapters.store.source(key, size), settings, record.build, elsewhere)
    findings = [*report.findings, *_declared_problems(record, created.object.size, report)]
    return _store_outcome(adapters, created, record, report, findings)


def _store_outcome(
    adapters: FilesAdapters, created: ObjectCreated, record: FileRecord, report: Report, findings: list[Finding]
) -> Outcome:
    now = adapters.clock()
    errors = sum(1 for found in findings if found.severity == "error")
    status: Literal["valid", "invalid"] = "invalid" if errors else "valid"
    try:
        with adapters.transaction() as repo:
            repo.mark_applied(created.id, created.detail_type, created.source, now)
            stored = repo.files.change_if(
                record.id,
                "validating",
                now,
                status=status,
                findings=[asdict(found) for found in findings],
                summary=asdict(report.summary) if report.summary else None,
                validated_at=now,
            )
            if not stored:
                return "deleted meanwhile"  # by its owner or the retention while it was read: nothing to say
            repo.add_event(
                FileValidated(
                    file_id=record.id, user_id=record.user_id, filename=record.filename, status=status,
                    errors=errors, warnings=len(findings) - errors,
                    rules=list(dict.fromkeys(found.rule for found in findings)), validated_at=now,
                ),
                now,
            )  # fmt: skip
    except DuplicateError:
        return "duplicate"  # another delivery of the same event stored its outcome first
    return "validated"


def _declared_problems(record: FileRecord, size: int, report: Report) -> list[Finding]:
    """What the upload says against what was declared when it began: the size, the checksum."""
    problems = []
    if size != record.size_bytes:
        problems.append(
            Finding(
                "upload.size", "error", f"The file is {size} bytes, but {record.size_bytes} were declared.",
                "Upload the file again, declaring its exact size in bytes.",
            )
        )  # fmt: skip
    actual = report.summary.sha256 if report.summary else None
    if record.sha256 is not None and actual is not None and actual != record.sha256:
        problems.append(
            Finding(
                "upload.checksum", "error", f"The file's SHA-256 is {actual}, but {record.sha256} was declared.",
                "The file changed in transit or the checksum is of another file: upload it again "
                "(`sha256sum file.vcf.gz` gives the checksum).",
            )
        )  # fmt: skip
    return problems

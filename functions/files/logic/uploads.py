"""Uploads straight to the bucket through presigned multipart URLs, under the owner's own prefix; and
what an owner (or an admin, for metadata) may do with a file afterwards."""

from __future__ import annotations

import uuid
from datetime import timedelta

from files.domain import FileKind, FileRecord
from files.logic.ports import FilesAdapters, StoredPart
from files.logic.views import file_view
from files.models.files import (
    Completion,
    Download,
    FileCreate,
    FileCreated,
    FilePage,
    FileStatus,
    FileView,
    PartUrl,
    ReceivedPart,
    UploadPlan,
    UploadState,
)
from files.settings import S3_MAX_PARTS, FilesSettings
from fip_core.access import Principal, Role
from fip_core.problems import ConflictError, FieldProblem, ForbiddenError, NotFoundError, UnprocessableError
from fip_core.residency import ResidencyRules

MIB = 1024**2
NOT_FOUND = "no such file: check its id (GET /files lists yours)"


def part_size_for(size_bytes: int, min_part_bytes: int) -> int:
    """The part size of an upload: the smallest whole number of MiB, not below the minimum, that keeps
    the parts within S3's 10,000. A file no larger than that is one part."""
    per_part = -(-size_bytes // S3_MAX_PARTS)
    return max(min_part_bytes, -(-per_part // MIB) * MIB)


def object_key(user_id: str, file_id: str, filename: str) -> str:
    """Where a file is stored: under its owner's prefix, then its id, so no two files share a key."""
    return f"users/{user_id}/{file_id}/{filename}"


def create_file(
    adapters: FilesAdapters,
    settings: FilesSettings,
    user_id: str,
    body: FileCreate,
    *,
    kind: FileKind = "input",
    job_id: str | None = None,
) -> FileCreated:
    """Register a file and start its multipart upload; the part URLs to PUT it with."""
    if body.size_bytes > settings.max_size_bytes:
        raise UnprocessableError(
            f"the file is larger than the {settings.max_size_bytes} bytes accepted",
            errors=[
                FieldProblem(
                    location="body.size_bytes",
                    message=f"must be at most {settings.max_size_bytes}: split the file by chromosome "
                    "(`bcftools view -r <chrom>`) and upload each",
                    type="less_than_equal",
                )
            ],
        )
    now = adapters.clock()
    file_id = str(uuid.uuid4())
    key = object_key(user_id, file_id, body.filename)
    upload_id = adapters.store.start_upload(key)
    record = FileRecord(
        id=file_id, user_id=user_id, kind=kind, job_id=job_id, filename=body.filename, key=key,
        size_bytes=body.size_bytes, sha256=body.sha256, build=body.build, status="uploading", upload_id=upload_id,
        part_size=part_size_for(body.size_bytes, settings.min_part_bytes), findings=None, summary=None,
        created_at=now, updated_at=now, validated_at=None, expires_at=now + timedelta(days=settings.retention_days),
        expiry_warned_at=None, deleted_at=None, allowed_countries=list(body.allowed_countries),
        allowed_services=[str(service_id) for service_id in body.allowed_services],
    )  # fmt: skip
    with adapters.transaction() as repo:
        repo.files.add(record)
    return FileCreated(id=uuid.UUID(file_id), status="uploading", upload=_plan(adapters, settings, record, upload_id))


def _plan(adapters: FilesAdapters, settings: FilesSettings, record: FileRecord, upload_id: str) -> UploadPlan:
    seconds = settings.upload_url_minutes * 60
    urls = adapters.store.part_urls(record.key, upload_id, record.parts, seconds)
    return UploadPlan(
        part_size=record.part_size,
        parts=[PartUrl(part_number=number, url=url) for number, url in enumerate(urls, start=1)],
        expires_at=adapters.clock() + timedelta(seconds=seconds),
    )


def owned(adapters: FilesAdapters, user_id: str, file_id: str) -> FileRecord:
    """The caller's own file; another's is as missing as one that does not exist."""
    with adapters.reading() as repo:
        record = repo.files.get(file_id)
    if record is None or record.user_id != user_id:
        raise NotFoundError(NOT_FOUND)
    return record


def get_file(adapters: FilesAdapters, caller: Principal, file_id: str) -> FileView:
    """A file: the owner's, or any for an admin (its metadata and findings, never its content)."""
    with adapters.reading() as repo:
        record = repo.files.get(file_id)
        recipients = repo.files.recipients(file_id) if record is not None else []
    if record is None or (record.user_id != caller.user_id and not caller.holds(Role.ADMIN)):
        raise NotFoundError(NOT_FOUND)
    return file_view(record, recipients)


def narrow_residency(adapters: FilesAdapters, user_id: str, file_id: str, rules: ResidencyRules) -> FileView:
    """Set where the owner lets their file go, within the platform's residency policy (jobs intersect the
    two when they are submitted, failed over or retried); only the owner narrows their file."""
    owned(adapters, user_id, file_id)
    countries = list(rules.allowed_countries)
    services = [str(service_id) for service_id in rules.allowed_services]
    with adapters.transaction() as repo:
        repo.files.change(file_id, adapters.clock(), allowed_countries=countries, allowed_services=services)
        record = repo.files.get(file_id)
        recipients = repo.files.recipients(file_id)
    if record is None:  # deleted meanwhile
        raise NotFoundError(NOT_FOUND)
    return file_view(record, recipients)


def list_files(adapters: FilesAdapters, user_id: str, status: FileStatus | None, limit: int, offset: int) -> FilePage:
    """The caller's files, newest first."""
    with adapters.reading() as repo:
        records, total = repo.files.page(user_id, status, limit, offset)
    return FilePage(items=[file_view(record) for record in records], total=total, limit=limit, offset=offset)


def upload_state(adapters: FilesAdapters, settings: FilesSettings, user_id: str, file_id: str) -> UploadState:
    """An upload to resume: fresh part URLs and the parts already received."""
    record, upload_id = _uploading(owned(adapters, user_id, file_id))
    received = adapters.store.received_parts(record.key, upload_id)
    return UploadState(
        id=uuid.UUID(record.id),
        status=record.status,
        upload=_plan(adapters, settings, record, upload_id),
        received=[ReceivedPart(part_number=p.part_number, etag=p.etag, size_bytes=p.size_bytes) for p in received],
    )


def _uploading(record: FileRecord) -> tuple[FileRecord, str]:
    """The file and its upload's id, while its upload is under way."""
    if record.status != "uploading" or record.upload_id is None:
        raise ConflictError(f"the file's upload is over (it is {record.status}): nothing to upload or complete")
    return record, record.upload_id


def complete_upload(adapters: FilesAdapters, user_id: str, file_id: str, completion: Completion) -> FileView:
    """Assemble the uploaded parts, once every part is there with its declared size; validation follows."""
    record, upload_id = _uploading(owned(adapters, user_id, file_id))
    received = {part.part_number: part for part in adapters.store.received_parts(record.key, upload_id)}
    problems = _part_problems(record, completion, received)
    if problems:
        raise UnprocessableError("the upload does not match the file declared: upload the parts named", errors=problems)
    adapters.store.complete(record.key, upload_id, [(p.part_number, p.etag) for p in completion.parts])
    now = adapters.clock()
    status: FileStatus = "stored" if record.kind == "result" else "validating"
    with adapters.transaction() as repo:
        repo.files.change_if(record.id, "uploading", now, status=status, upload_id=None)
        # the object's validation may have finished already: answer the file as it is
        current = repo.files.get(record.id)
    if current is None:  # deleted by its owner in the meantime
        raise NotFoundError(NOT_FOUND)
    return file_view(current)


def _part_problems(record: FileRecord, completion: Completion, received: dict[int, StoredPart]) -> list[FieldProblem]:
    expected = record.parts
    if len(completion.parts) != expected:
        message = f"must list all {expected} parts of {record.size_bytes} bytes in parts of {record.part_size}"
        return [FieldProblem(location="body.parts", message=message, type="parts_count")]
    problems = []
    for part in completion.parts:
        last = record.size_bytes - record.part_size * (expected - 1)
        size = record.part_size if part.part_number < expected else last
        stored = received.get(part.part_number)
        where = f"body.parts.{part.part_number - 1}"
        if stored is None:
            message = "was not received: PUT it to its URL"
            problems.append(FieldProblem(location=where, message=message, type="part_missing"))
        elif stored.etag.strip('"') != part.etag.strip('"'):
            message = "does not match the part received: send the ETag its PUT answered"
            problems.append(FieldProblem(location=f"{where}.etag", message=message, type="etag_mismatch"))
        elif stored.size_bytes != size:
            message = f"was {stored.size_bytes} bytes, not {size}: PUT exactly this part's bytes again"
            problems.append(FieldProblem(location=where, message=message, type="part_size"))
    return problems


def abort_upload(adapters: FilesAdapters, user_id: str, file_id: str) -> None:
    """Give up an upload: its parts are dropped and the file forgotten."""
    record, upload_id = _uploading(owned(adapters, user_id, file_id))
    adapters.store.abort(record.key, upload_id)
    _forget(adapters, record, user_id, "abort")


def delete_file(adapters: FilesAdapters, user_id: str, file_id: str) -> None:
    """Delete a file: its object (or its upload's parts) and its record; the deletion is recorded."""
    record = owned(adapters, user_id, file_id)
    remove_object(adapters, record)
    _forget(adapters, record, user_id, "delete")


def remove_object(adapters: FilesAdapters, record: FileRecord) -> None:
    """Drop what the store holds of a file: its upload's parts, or the object."""
    if record.upload_id is not None:
        adapters.store.abort(record.key, record.upload_id)
    adapters.store.delete(record.key)


def _forget(adapters: FilesAdapters, record: FileRecord, actor: str, action: str) -> None:
    now = adapters.clock()
    with adapters.transaction() as repo:
        repo.files.change(record.id, now, deleted_at=now, upload_id=None)
        repo.files.record_action(record.id, actor, action, now)


def download(adapters: FilesAdapters, settings: FilesSettings, caller: Principal, file_id: str) -> Download:
    """A short-lived link to the caller's own file; the download is recorded. Admins see others' files'
    metadata, never their content."""
    with adapters.reading() as repo:
        record = repo.files.get(file_id)
    if record is None or record.user_id != caller.user_id:
        if record is not None and caller.holds(Role.ADMIN):
            raise ForbiddenError("admins see other users' files' metadata, not their content")
        raise NotFoundError(NOT_FOUND)
    if record.status == "uploading":
        raise ConflictError("the file is still being uploaded: complete the upload first")
    seconds = settings.download_url_minutes * 60
    url = adapters.store.download_url(record.key, record.filename, seconds)
    now = adapters.clock()
    with adapters.transaction() as repo:
        repo.files.record_action(record.id, caller.user_id, "download", now)
    return Download(url=url, expires_at=now + timedelta(seconds=seconds))

"""A completed job's result files, copied into the files domain through its declared `results` call:
each file registered there with the exact length the service announces, then streamed from the
service into the presigned part URLs as it arrives (never whole in memory, nor on disk), then the
upload completed. A copy that fails is recorded with why and tried again at a later poll, until
`output_attempts` copies of it have failed; what was stored is not copied again."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

from pydantic import SecretStr

from fip_core.problems import NotFoundError
from jobs.adapters.base import AdapterError, Download, ImputationServiceAdapter, OutputFile
from jobs.domain import JobOutput, JobRecord, OutputStatus
from jobs.logic.lookups import Lookups, Refused
from jobs.logic.ports import JobsAdapters
from jobs.logic.reading import owned_job
from jobs.logic.submission import Timings, words
from jobs.models.jobs import ArchivePassword, JobOutputs, OutputView

_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]")
LIST_RETRY_POLLS = 10  # a service that cannot list a job's outputs now is asked again this many polls later


class CopyFailedError(Exception):
    """One result file could not be copied in this time."""


async def collect_due(adapters: JobsAdapters, lookups: Lookups, timings: Timings, attempts: int, limit: int) -> int:
    """Copy in the outputs of every completed job whose outputs are due; how many jobs were taken on."""
    due = await asyncio.to_thread(_claim_due, adapters, timings, limit)
    for job in due:
        await collect(adapters, lookups, job, attempts, timings)
    return len(due)


def _claim_due(adapters: JobsAdapters, timings: Timings, limit: int) -> list[JobRecord]:
    now = adapters.clock()
    claimed = []
    with adapters.transaction() as repo:
        for job in sorted(repo.jobs.outputs_due(now, limit), key=lambda job: job.lock_order):
            # held for the lease: another poll does not copy the same files meanwhile
            mine = repo.jobs.change(job, now, outputs_due_at=now + timings.lease)
            if mine is not None:
                claimed.append(mine)
    return claimed


async def collect(adapters: JobsAdapters, lookups: Lookups, job: JobRecord, attempts: int, timings: Timings) -> None:
    """Copy in what of this job's outputs is not stored yet; schedule the next try for what failed."""
    try:
        service, token = await lookups.followed(job)
        adapter = adapters.connect(service)
        listed = await adapter.list_outputs(str(job.external_id), token)
    except (AdapterError, Refused) as error:
        await asyncio.to_thread(_reschedule, adapters, job, [], words(error), attempts, timings)
        return
    done = {output.name: output for output in await asyncio.to_thread(_outputs, adapters, job.id)}
    for output in listed:
        earlier = done.get(output.name)
        if earlier is not None and (earlier.status is OutputStatus.STORED or earlier.attempts >= attempts):
            continue
        tried = (earlier.attempts if earlier else 0) + 1
        try:
            file_id, size = await _copy(adapters, adapter, job, output, token)
            outcome = JobOutput(job.id, output.name, OutputStatus.STORED, tried, file_id, size, None, adapters.clock())
        except (AdapterError, CopyFailedError) as failed:
            outcome = JobOutput(
                job.id, output.name, OutputStatus.FAILED, tried, None, None, words(failed), adapters.clock()
            )
        done[output.name] = outcome
        await asyncio.to_thread(_save, adapters, outcome)
    await asyncio.to_thread(_reschedule, adapters, job, list(done.values()), None, attempts, timings)


def _outputs(adapters: JobsAdapters, job_id: str) -> list[JobOutput]:
    with adapters.reading() as repo:
        return repo.jobs.outputs(job_id)


def _save(adapters: JobsAdapters, output: JobOutput) -> None:
    with adapters.transaction() as repo:
        repo.jobs.save_output(output)


def _reschedule(
    adapters: JobsAdapters,
    job: JobRecord,
    outputs: list[JobOutput],
    error: str | None,
    attempts: int,
    timings: Timings,
) -> None:
    """Done when every output is stored or given up; otherwise due again, later with each failure."""
    now = adapters.clock()
    waiting = [o for o in outputs if o.status is OutputStatus.FAILED and o.attempts < attempts]
    with adapters.transaction() as repo:
        current = repo.jobs.get(job.id)
        if current is None:
            return
        if error is not None:  # the list could not be read (the service is down?): try again later
            repo.jobs.change(current, now, outputs_due_at=now + timings.poll_every * LIST_RETRY_POLLS)
            return
        backoff = max((o.attempts for o in waiting), default=0)
        due = now + timings.poll_every * 2 ** min(backoff, 6) if waiting else None
        repo.jobs.change(current, now, outputs_due_at=due)


async def _copy(
    adapters: JobsAdapters,
    adapter: ImputationServiceAdapter,
    job: JobRecord,
    output: OutputFile,
    token: SecretStr | None,
) -> tuple[str, int]:
    async with adapter.fetch_output(output, token) as download:
        if download.length is None:
            raise CopyFailedError(f"the service did not announce the length of {output.name}")
        filename = _UNSAFE.sub("_", output.name.rsplit("/", 1)[-1]).lstrip("._-")[:200] or "output"
        file = {"filename": filename, "size_bytes": download.length}
        call = {"action": "register", "user_id": job.user_id, "job_id": job.id, "file": file}
        registered = await asyncio.to_thread(adapters.domains.results, call)
        if "error" in registered:
            raise CopyFailedError(f"the files domain refused {output.name}: {registered.get('detail')}")
        upload, pieces = registered["upload"], _Parts(download)
        parts = []
        left = download.length
        for part in upload["parts"]:
            length = min(upload["part_size"], left)
            etag = await adapters.uploads.put_part(part["url"], length, pieces.next(length))
            parts.append({"part_number": part["part_number"], "etag": etag})
            left -= length
    completion = {
        "action": "complete",
        "user_id": job.user_id,
        "file_id": registered["id"],
        "completion": {"parts": parts},
    }
    completed = await asyncio.to_thread(adapters.domains.results, completion)
    if "error" in completed:
        raise CopyFailedError(f"the files domain did not complete {output.name}: {completed.get('detail')}")
    return str(registered["id"]), download.length


class _Parts:
    """A download cut into consecutive parts of given lengths, each streamed as it arrives."""

    def __init__(self, download: Download) -> None:
        self._download = download
        self._held = b""  # what the last piece brought beyond its part: the next part begins with it

    async def next(self, length: int) -> AsyncIterator[bytes]:
        """The next `length` bytes."""
        left = length
        while left > 0:
            if not self._held:
                try:
                    self._held = await anext(self._download)
                except StopAsyncIteration:
                    raise CopyFailedError("the download ended before the length it announced") from None
            give, self._held = self._held[:left], self._held[left:]
            left -= len(give)
            yield give


def archive_password(adapters: JobsAdapters, user_id: str, job_id: str) -> ArchivePassword:
    """The password of the owner's job's result archives, decrypted for the owner alone."""
    with adapters.reading() as repo:
        job = owned_job(repo, user_id, job_id)
    if job.password_ciphertext is None:
        raise NotFoundError("this job has no archive password: only jobs sent to a Cloudgene service have one")
    password = adapters.passwords.decrypt(job.password_ciphertext, job.id, job.user_id)
    return ArchivePassword(password=password.get_secret_value())


def outputs_view(adapters: JobsAdapters, user_id: str, job_id: str) -> JobOutputs:
    """The owner's view of a job's result files and their ids in the files domain."""
    with adapters.reading() as repo:
        job = owned_job(repo, user_id, job_id)
        # a job sent to several services has no outputs of its own: its children's are its
        members = repo.jobs.children(job.id) if job.is_family else [job]
        outputs = [output for member in members for output in repo.jobs.outputs(member.id)]
    completed = [member for member in members if member.status.value == "completed"]
    if any(member.outputs_due_at is not None for member in members):
        state = "copying"
    elif not completed:
        state = "none"
    elif any(o.status is OutputStatus.FAILED for o in outputs):
        state = "incomplete"
    else:
        state = "stored"
    items = [
        OutputView(
            name=o.name,
            status=o.status.value,
            file_id=o.file_id,
            size_bytes=o.size_bytes,
            attempts=o.attempts,
            error=o.error,
        )
        for o in outputs
    ]
    return JobOutputs.model_validate({"job_id": job.id, "state": state, "items": items})

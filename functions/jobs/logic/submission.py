"""Handing a pending job to its service, outside any API request: claimed first (so that of two
submitters, the event's and the poll's, one submits), then the owner's token, the inputs' presigned
links and the service's adapter, then the submission itself, then its outcome written as a transition.

A service that cannot take the job now (Cloudgene's cap on a user's running jobs, maintenance, a
service that does not answer) leaves it pending, waiting for the service, and it is tried again at the
next poll; a refusal fails it with the service's words (an `auto` job fails over to the next service
of its ranking first: `logic/routing.py`). The residency rules are checked again first, as they are at
that moment: a job they no longer let go to its service is refused there, before any file is linked.
No call outside the domain runs inside a database transaction."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from pydantic import SecretStr

from jobs.adapters.base import (
    AdapterError,
    ImputationServiceAdapter,
    InputFile,
    JobMode,
    ServiceUnavailableError,
    Submission,
)
from jobs.domain import JobRecord, JobStatus, Target
from jobs.logic import eligibility, lifecycle, routing
from jobs.logic.lookups import Lookups, Refused
from jobs.logic.ports import JobsAdapters
from jobs.settings import JobsSettings


@dataclass(frozen=True)
class Timings:
    """How often jobs are polled, how long a submission holds its job, and when no news is a stall."""

    poll_every: timedelta
    lease: timedelta
    stalled_after: timedelta

    @classmethod
    def of(cls, settings: JobsSettings) -> Timings:
        """The timings the domain's settings give."""
        return cls(
            poll_every=timedelta(seconds=settings.poll_interval_seconds),
            lease=timedelta(minutes=settings.submit_lease_minutes),
            stalled_after=timedelta(minutes=settings.stalled_after_minutes),
        )


class Submitted(StrEnum):
    """What became of one attempt to hand a job to its service."""

    SUBMITTED = "submitted"
    WAITING = "waiting"  # the service cannot take it now: pending, tried again later
    FAILED = "failed"
    NOT_DUE = "not_due"  # not pending, not due, or another submitter holds it
    REROUTED = "rerouted"  # refused, and `auto` moved it to the next service of its ranking


async def submit_job(
    adapters: JobsAdapters, job_id: str, timings: Timings, lookups: Lookups | None = None
) -> Submitted:
    """Hand a pending, due job to its service; what became of it. A poll gives its `lookups`, so that its
    submissions ask nothing of the registry and the users domain it has asked already."""
    claimed = await asyncio.to_thread(_claim, adapters, job_id, timings)
    if claimed is None:
        return Submitted.NOT_DUE
    try:
        service, token = await (lookups or Lookups(adapters.domains)).followed(claimed)
        adapter, submission, sealed = await asyncio.to_thread(_prepare, adapters, claimed, service)
        external_id = await adapter.submit(submission, token)
    except ServiceUnavailableError as unavailable:  # WaitingForServiceError among them: the job waits alike
        return await asyncio.to_thread(_wait, adapters, claimed, words(unavailable), timings)
    except (AdapterError, Refused) as refused:
        return await asyncio.to_thread(_fail, adapters, claimed, words(refused))
    return await _record_submitted(adapters, claimed, external_id, sealed, (adapter, token), timings)


def words(error: Exception) -> str:
    """Why, in our words and, where it said any, the service's."""
    said = getattr(error, "service_message", None)
    return f"{error}; the service says: {said}" if said else str(error)


def _claim(adapters: JobsAdapters, job_id: str, timings: Timings) -> JobRecord | None:
    now = adapters.clock()
    with adapters.transaction() as repo:
        job = repo.jobs.get(job_id)
        if job is None or job.status is not JobStatus.PENDING or job.next_poll_at is None or job.next_poll_at > now:
            return None
        # the lease: a submitter that dies leaves the job to be tried again once it ends
        return repo.jobs.change(job, now, next_poll_at=now + timings.lease)


def _prepare(
    adapters: JobsAdapters, job: JobRecord, service: dict[str, Any]
) -> tuple[ImputationServiceAdapter, Submission, bytes | None]:
    _check_residency(adapters, job, service)
    recipient = {"service_id": job.service_id, "service_name": job.service_name, "job_id": job.id}
    inputs = adapters.domains.inputs(job.user_id, job.file_ids, links=True, recipient=recipient)
    if "error" in inputs:
        raise Refused("the files domain could not check the job's files")
    files = []
    for file in inputs["files"]:
        if not file["found"] or not file.get("url"):
            raise Refused(f"the input file {file['id']} is no longer available (deleted or expired): submit again")
        files.append(InputFile(file["filename"], file["size_bytes"], url=file["url"]))
    # Cloudgene encrypts the result archives with a password it is given (else it makes one and emails it)
    password = SecretStr(secrets.token_urlsafe(18)) if service["api_type"] == "michigan" else None
    sealed = adapters.passwords.encrypt(password, job.id, job.user_id) if password else None
    submission = Submission(
        password=password,
        name=job.name,
        files=tuple(files),
        panel=job.panel,
        build=job.build,
        phasing=job.phasing,
        mode=JobMode(job.mode),
        population=job.population,
        r2_filter=job.r2_filter,
    )
    try:
        adapter = adapters.connect(service)
    except AdapterError as refused:
        raise Refused(str(refused)) from refused
    return adapter, submission, sealed


def _check_residency(adapters: JobsAdapters, job: JobRecord, service: dict[str, Any]) -> None:
    """Refused when the residency rules as they are now (the platform's policy, read with the service, and
    each file's narrowing) no longer let the job's files go to its service: checked before any link to
    them is handed out, so a file's `sent_to` lists only the services it really went to."""
    files = eligibility.job_files(adapters, job.user_id, job.file_ids)
    if files is None:
        raise Refused("the files domain could not check the job's files")
    if (broken := eligibility.residency_breach(service, files)) is not None:
        raise Refused(f"outside the residency policy: {broken}")


def _wait(adapters: JobsAdapters, job: JobRecord, why: str, timings: Timings) -> Submitted:
    now = adapters.clock()
    with adapters.transaction() as repo:
        lifecycle.wait(repo, job, now, why, poll_every=timings.poll_every, stalled_after=timings.stalled_after)
    return Submitted.WAITING


def _fail(adapters: JobsAdapters, job: JobRecord, why: str) -> Submitted:
    if job.target == Target.AUTO:  # the next service of its ranking, if one is left
        return Submitted.REROUTED if routing.fail_over(adapters, job, why) else Submitted.FAILED
    now = adapters.clock()
    with adapters.transaction() as repo:
        lifecycle.transition(repo, job, JobStatus.FAILED, now, "the submission was refused", error=why)
    return Submitted.FAILED


async def _record_submitted(
    adapters: JobsAdapters,
    job: JobRecord,
    external_id: str,
    sealed: bytes | None,
    service: tuple[ImputationServiceAdapter, SecretStr | None],
    timings: Timings,
) -> Submitted:
    def record() -> JobRecord | None:
        now = adapters.clock()
        with adapters.transaction() as repo:
            changes: dict[str, Any] = {"external_id": external_id, "waiting_reason": None, "stalled": False}
            changes |= {"last_news_at": now, "password_ciphertext": sealed}
            changes["next_poll_at"] = now + timings.poll_every
            return lifecycle.transition(repo, job, JobStatus.SUBMITTED, now, "the service accepted the job", **changes)

    if await asyncio.to_thread(record) is not None:
        return Submitted.SUBMITTED
    # the job changed while it was being submitted: its owner cancelled it, so stop it on the service too
    adapter, token = service
    await adapter.cancel(external_id, token)
    return Submitted.NOT_DUE

"""One poll of the jobs that are due: every active job asked of its service, concurrently, at most
`cap` calls to one service at a time, each answer applied as it comes in (in batches, one transaction
each, while later answers are still on the network); the pending jobs that are due are submitted.

Each answer is applied through `lifecycle`, conditioned on the version of the job the poll read, so
two polls racing over the same jobs apply each transition once and write one event for it. A job whose
service is no longer in the registry, or no longer knows the job, fails with the reason; a service that
does not answer leaves its jobs as they are (flagged stalled once they have had no news for too long)."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Awaitable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from pydantic import SecretStr

from fip_core.relay import record_and_relay
from jobs.adapters.base import (
    AdapterError,
    BadTokenError,
    ExternalStatus,
    ImputationServiceAdapter,
    UnknownJobError,
)
from jobs.dal.repository import JobsRepository
from jobs.domain import JobRecord, JobStatus
from jobs.logic import lifecycle
from jobs.logic.lookups import Lookups, Refused
from jobs.logic.outputs import collect_due
from jobs.logic.ports import JobsAdapters
from jobs.logic.submission import Timings, submit_job, words

RECORD_BATCH = 200  # answers applied in one transaction


@dataclass(frozen=True)
class Unanswered:
    """The service gave no usable answer about the job this time: it stays as it is."""

    reason: str


@dataclass(frozen=True)
class Lost:
    """The job cannot be followed any more (its service left the registry or forgot it): it fails."""

    reason: str


Answer = ExternalStatus | Unanswered | Lost


@dataclass
class PollReport:
    """What one poll did."""

    due: int = 0
    polled: int = 0
    transitions: int = 0
    lost_races: int = 0  # another poll (or the owner) changed the job first: nothing written
    unanswered: int = 0
    lost: int = 0
    stalled: int = 0  # polled jobs left flagged stalled (no news for too long): the operators' alarm counts them
    submissions: dict[str, int] = field(default_factory=dict)
    outputs_collected: int = 0  # completed jobs whose result files were copied in (or tried)
    wall_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """The report as the function answers it."""
        return asdict(self)


async def poll_pass(
    adapters: JobsAdapters, timings: Timings, *, cap: int, limit: int, output_attempts: int = 5
) -> PollReport:
    """Poll every due job (at most `limit`, the most overdue first), submit the due pending ones, then copy
    in the result files of the completed jobs that are due. The registry is asked about each service, and
    the users domain about each owner's token for it, once in the pass (`Lookups`)."""
    started = time.perf_counter()
    lookups = Lookups(adapters.domains)
    due = await asyncio.to_thread(_due, adapters, limit)
    report = PollReport(due=len(due))
    by_service: dict[str, list[JobRecord]] = defaultdict(list)
    for job in due:
        by_service[job.service_id].append(job)
    answers: asyncio.Queue[tuple[JobRecord, Answer] | None] = asyncio.Queue()
    async with asyncio.TaskGroup() as group:
        recorder = group.create_task(
            record_and_relay(
                answers,
                RECORD_BATCH,
                lambda batch: _apply_batch(adapters, batch, timings, report),
                lambda: report.transitions,
                adapters.relay,
            )
        )
        async with asyncio.TaskGroup() as services:
            for service_id, jobs in by_service.items():
                services.create_task(_poll_service(adapters, lookups, service_id, jobs, cap, timings, answers, report))
        answers.put_nowait(None)
        await recorder
    report.outputs_collected = await collect_due(adapters, lookups, timings, output_attempts, limit)
    report.wall_seconds = round(time.perf_counter() - started, 3)
    return report


def _due(adapters: JobsAdapters, limit: int) -> list[JobRecord]:
    with adapters.reading() as repo:
        return repo.jobs.due(adapters.clock(), limit)


async def _poll_service(
    adapters: JobsAdapters,
    lookups: Lookups,
    service_id: str,
    jobs: Sequence[JobRecord],
    cap: int,
    timings: Timings,
    answers: asyncio.Queue[tuple[JobRecord, Answer] | None],
    report: PollReport,
) -> None:
    try:
        service = await lookups.service(service_id)
    except Exception as error:  # the registry did not answer: these jobs wait for the next poll
        for job in jobs:
            answers.put_nowait((job, Unanswered(f"the registry could not be asked about the service ({error})")))
        return
    if "error" in service:
        gone = service["error"] == "not_found"
        for job in jobs:
            lost = Lost("the service was removed from the registry: the job cannot be followed")
            answers.put_nowait((job, lost if gone else Unanswered(f"the registry refused: {service['error']}")))
        return
    limit = asyncio.Semaphore(cap)
    pending = [job for job in jobs if job.status is JobStatus.PENDING]
    active = [job for job in jobs if job.status is not JobStatus.PENDING]
    adapter: ImputationServiceAdapter | None = None
    try:
        adapter = adapters.connect(service)
    except AdapterError as refused:
        for job in active:
            answers.put_nowait((job, Lost(str(refused))))

    async def poll(job: JobRecord, adapter: ImputationServiceAdapter) -> None:
        answers.put_nowait((job, await _ask(adapter, job, lookups.token(job, service), limit)))

    async def submit(job: JobRecord) -> None:
        async with limit:
            outcome = await submit_job(adapters, job.id, timings, lookups)
        report.submissions[outcome.value] = report.submissions.get(outcome.value, 0) + 1

    async with asyncio.TaskGroup() as group:
        if adapter is not None:
            for job in active:
                group.create_task(poll(job, adapter))
        for job in pending:
            group.create_task(submit(job))


async def _ask(
    adapter: ImputationServiceAdapter,
    job: JobRecord,
    owners_token: Awaitable[SecretStr | None],
    limit: asyncio.Semaphore,
) -> Answer:
    try:
        token = await owners_token
    except Refused as refused:
        return Unanswered(str(refused))
    except Exception as error:  # the users domain did not answer: try again next poll
        return Unanswered(f"the owner's token could not be read ({type(error).__name__})")
    async with limit:
        try:
            return await adapter.status(str(job.external_id), token)
        except BadTokenError as refused:
            store = f"PUT /me/credentials/{job.service_id}"
            return Unanswered(f"{words(refused)}: store a new token with {store} for the job to be followed")
        except UnknownJobError as unknown:
            return Lost(f"the service no longer knows this job ({words(unknown)})")
        except AdapterError as error:
            return Unanswered(words(error))


def _apply_batch(
    adapters: JobsAdapters, batch: list[tuple[JobRecord, Answer]], timings: Timings, report: PollReport
) -> None:
    now = adapters.clock()
    with adapters.batch() as repo:
        # rows are changed in one order (a family's parent before its children), so that no two transactions deadlock
        for job, answer in sorted(batch, key=lambda item: item[0].lock_order):
            changed = _apply(repo, job, answer, now, timings)
            report.polled += 1
            if changed is None:
                report.lost_races += 1
            elif changed.revision != job.revision:
                report.transitions += 1
            report.unanswered += isinstance(answer, Unanswered)
            report.lost += isinstance(answer, Lost)
            report.stalled += changed is not None and changed.stalled


def _apply(repo: JobsRepository, job: JobRecord, answer: Answer, now: datetime, timings: Timings) -> JobRecord | None:
    if isinstance(answer, ExternalStatus):
        return lifecycle.apply_report(
            repo, job, answer, now, poll_every=timings.poll_every, stalled_after=timings.stalled_after
        )
    if isinstance(answer, Lost):
        return lifecycle.transition(repo, job, JobStatus.FAILED, now, answer.reason, error=answer.reason)
    return lifecycle.wait(
        repo, job, now, answer.reason, poll_every=timings.poll_every, stalled_after=timings.stalled_after
    )

"""What an owner does to a job: cancel it (on its service too) or retry it (a new attempt, linked).

Cancelling a job its service holds asks the service first, outside any transaction, and records what
the service then reports; a job not yet handed over is cancelled here (a submission under way sees
that and cancels what it made). Retrying a failed or cancelled job makes a new job of the same request,
checked as `POST /jobs` checks one, linked to the first; retrying it again answers the same new job."""

from __future__ import annotations

from fip_core.outbound.loop import run
from fip_core.problems import ConflictError, NotFoundError, UnavailableError
from jobs.adapters.base import AdapterError, ExternalState, ExternalStatus, ServiceUnavailableError
from jobs.domain import JobRecord, JobStatus
from jobs.logic import creation, lifecycle
from jobs.logic.lookups import Lookups, Refused
from jobs.logic.ports import JobsAdapters
from jobs.logic.reading import NOT_FOUND, owned_job
from jobs.logic.submission import Timings, words
from jobs.logic.views import job_view
from jobs.models.jobs import JobCreate, JobView

CANCELLED_BY_OWNER = "cancelled by its owner"


def _owned(adapters: JobsAdapters, user_id: str, job_id: str) -> JobRecord:
    with adapters.reading() as repo:
        return owned_job(repo, user_id, job_id)


def _view(adapters: JobsAdapters, job_id: str) -> JobView:
    with adapters.reading() as repo:
        job = repo.jobs.get(job_id)
        if job is None:
            raise NotFoundError(NOT_FOUND)
        return job_view(job, repo.jobs.history(job_id))


def cancel_job(adapters: JobsAdapters, user_id: str, job_id: str, timings: Timings) -> JobView:
    """Cancel the caller's job, on its service first when the service holds it; the job as it then is."""
    job = _owned(adapters, user_id, job_id)
    if job.status.finished:
        raise ConflictError(f"the job is already {job.status}: there is nothing to cancel")
    if job.status is JobStatus.PENDING:
        with adapters.transaction() as repo:
            changed = lifecycle.transition(repo, job, JobStatus.CANCELLED, adapters.clock(), CANCELLED_BY_OWNER)
        if changed is None:  # handed to the service meanwhile: cancel it there
            return cancel_job(adapters, user_id, job_id, timings)
        return _view(adapters, job_id)
    try:
        report = run(_cancel_on_service(adapters, job))
    except ServiceUnavailableError as unavailable:
        raise UnavailableError(f"the service could not cancel the job now ({words(unavailable)}): try again") from None
    except (AdapterError, Refused) as refused:
        raise ConflictError(f"the service refused to cancel the job: {words(refused)}") from None
    now = adapters.clock()
    with adapters.transaction() as repo:
        current = repo.jobs.get(job_id)
        if current is not None and report.state is ExternalState.CANCELLED and not current.status.finished:
            lifecycle.transition(repo, current, JobStatus.CANCELLED, now, CANCELLED_BY_OWNER)
        elif current is not None:  # still stopping on the service: the poll sees it end
            lifecycle.apply_report(
                repo, current, report, now, poll_every=timings.poll_every, stalled_after=timings.stalled_after
            )
    return _view(adapters, job_id)


async def _cancel_on_service(adapters: JobsAdapters, job: JobRecord) -> ExternalStatus:
    service, token = await Lookups(adapters.domains).followed(job)
    return await adapters.connect(service).cancel(str(job.external_id), token)


def retry_job(adapters: JobsAdapters, user_id: str, job_id: str) -> creation.Created:
    """A new attempt of the caller's failed or cancelled job, linked to it (`retry_of`); the same new job
    for every retry of the same job."""
    job = _owned(adapters, user_id, job_id)
    if job.status not in (JobStatus.FAILED, JobStatus.CANCELLED):
        raise ConflictError(f"only a failed or cancelled job is retried; this one is {job.status}")
    body = JobCreate.model_validate(
        {"name": job.name, "service": creation.requested_service(job), "panel": job.panel, "build": job.build,
         "phasing": job.phasing, "population": job.population, "r2_filter": job.r2_filter, "mode": job.mode,
         "file_ids": job.file_ids}
    )  # fmt: skip
    return creation.create_job(adapters, user_id, f"retry-of:{job.id}", body, retry_of=job.id)

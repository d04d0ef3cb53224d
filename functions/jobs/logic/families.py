"""Cancelling a job sent to several services: each unfinished child is cancelled as a job of its own (on
its service first), and the parent follows its children (`family_status`). A job of one service is
cancelled by `control.cancel_job`."""

from __future__ import annotations

from fip_core.problems import ConflictError, DomainError, NotFoundError, UnavailableError
from jobs.logic import control, reading
from jobs.logic.ports import JobsAdapters
from jobs.logic.submission import Timings
from jobs.models.jobs import JobView


def cancel(adapters: JobsAdapters, user_id: str, job_id: str, timings: Timings) -> JobView:
    """Cancel the caller's job, a multi-service job's children each on their service; the job as it then
    is. A child whose service cannot cancel it now is named in a 503 (the others are cancelled): ask again."""
    with adapters.reading() as repo:
        job = repo.jobs.owned(user_id, job_id)
        children = repo.jobs.children(job_id) if job is not None and job.is_family else []
    if job is None:
        raise NotFoundError(reading.NOT_FOUND)
    if not job.is_family:
        return control.cancel_job(adapters, user_id, job_id, timings)
    if job.status.finished:
        raise ConflictError(f"the job is already {job.status}: there is nothing to cancel")
    failed: list[tuple[DomainError, str]] = []
    for child in children:
        if child.status.finished:
            continue
        try:
            control.cancel_job(adapters, user_id, child.id, timings)
        except (ConflictError, UnavailableError) as error:
            if not (isinstance(error, ConflictError) and _finished(adapters, child.id)):  # not ended meanwhile
                failed.append((error, f"{child.service_name}: {error.detail}"))
    if any(isinstance(error, UnavailableError) for error, _ in failed):
        said = "; ".join(why for _, why in failed)
        raise UnavailableError(f"some services could not cancel their part now ({said}): try again")
    if failed:
        said = "; ".join(why for _, why in failed)
        raise ConflictError(f"some services refused to cancel their part: {said}")
    with adapters.reading() as repo:
        current = repo.jobs.get(job_id)
        if current is None:
            raise NotFoundError(reading.NOT_FOUND)
        return reading.view_of(repo, current)


def _finished(adapters: JobsAdapters, job_id: str) -> bool:
    with adapters.reading() as repo:
        job = repo.jobs.get(job_id)
    return job is None or job.status.finished

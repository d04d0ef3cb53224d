"""Reading jobs: a user's own, and any job's metadata for an admin."""

from __future__ import annotations

from fip_core.access import Principal, Role
from fip_core.problems import NotFoundError
from jobs.dal.repository import JobsRepository
from jobs.domain import JobRecord, JobStatus
from jobs.logic.ports import JobsAdapters
from jobs.logic.views import job_summary, job_view
from jobs.models.jobs import JobPage, JobView

NOT_FOUND = "no such job of yours: list your jobs with GET /jobs"


def owned_job(repo: JobsRepository, user_id: str, job_id: str) -> JobRecord:
    """The caller's job; NotFoundError, as for a job that does not exist, if it is another user's."""
    job = repo.jobs.owned(user_id, job_id)
    if job is None:
        raise NotFoundError(NOT_FOUND)
    return job


def list_jobs(adapters: JobsAdapters, user_id: str, status: JobStatus | None, limit: int, offset: int) -> JobPage:
    """The caller's jobs, newest first."""
    with adapters.reading() as repo:
        records, total = repo.jobs.page(user_id, status, limit, offset)
    return JobPage(items=[job_summary(record) for record in records], total=total, limit=limit, offset=offset)


def get_job(adapters: JobsAdapters, caller: Principal, job_id: str) -> JobView:
    """A job: the owner's, or any for an admin (its metadata and history)."""
    with adapters.reading() as repo:
        record = repo.jobs.get(job_id)
        if record is None or (record.user_id != caller.user_id and not caller.holds(Role.ADMIN)):
            raise NotFoundError(NOT_FOUND)
        return view_of(repo, record)


def view_of(repo: JobsRepository, job: JobRecord) -> JobView:
    """A job as the API shows it: with its history, and its children if it was sent to several services."""
    children = repo.jobs.children(job.id) if job.is_family else []
    return job_view(job, repo.jobs.history(job.id), children=[job_summary(child) for child in children])

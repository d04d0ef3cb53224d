"""Routes of jobs: submit one, list the caller's, read one with its history, cancel and retry one."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header, Query

from fip_core.http import answers, current_principal, json_response, route_group
from jobs.domain import JobStatus
from jobs.handlers.wiring import jobs_adapters
from jobs.logic import control, creation, families, outputs, reading
from jobs.logic.submission import Timings
from jobs.models.jobs import ArchivePassword, JobCreate, JobOutputs, JobPage, JobStatusName, JobView
from jobs.settings import jobs_settings

router = route_group()
JOBS = "Imputation jobs"


@router.post(
    "/jobs",
    summary="Submit a job to one service, to several (a parent with a child each) or to `auto`: 201 with the "
    "job, or 200 with the first job for a repeated key",
    tags=[JOBS],
    responses=answers(201, JobView, 422) | answers(200, JobView),
)
def create_job(
    body: JobCreate,
    idempotency_key: Annotated[
        str,
        Header(
            alias="idempotency-key",
            min_length=1,
            max_length=255,
            pattern=r"^[A-Za-z0-9_.:-]+$",
            description="A key of your choice per job: sending the same request again returns the same job.",
        ),
    ],
) -> Response[JobView]:
    created = creation.create_job(jobs_adapters(), current_principal(router).user_id, idempotency_key, body)
    status = HTTPStatus.CREATED if created.new else HTTPStatus.OK
    return json_response(created.job, status, {"Location": f"/jobs/{created.job.id}"})


@router.get("/jobs", summary="List your jobs", tags=[JOBS], responses=answers(200, JobPage))
def list_jobs(
    status: Annotated[JobStatusName | None, Query(description="Only jobs in this status.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> JobPage:
    caller = current_principal(router).user_id
    return reading.list_jobs(jobs_adapters(), caller, JobStatus(status) if status else None, limit, offset)


@router.get(
    "/jobs/<job_id>",
    summary="A job: its status, progress, the service's steps and its history",
    tags=[JOBS],
    responses=answers(200, JobView, 404),
)
def get_job(job_id: UUID) -> JobView:
    return reading.get_job(jobs_adapters(), current_principal(router), str(job_id))


@router.post(
    "/jobs/<job_id>/cancel",
    summary="Cancel your job, on its service too (a job sent to several services: each of its children)",
    tags=[JOBS],
    responses=answers(200, JobView, 404, 409, 503),
)
def cancel_job(job_id: UUID) -> JobView:
    timings = Timings.of(jobs_settings())
    return families.cancel(jobs_adapters(), current_principal(router).user_id, str(job_id), timings)


@router.post(
    "/jobs/<job_id>/retry",
    summary="Try your failed or cancelled job again: 201 with the new job, linked, or 200 with it again",
    tags=[JOBS],
    responses=answers(201, JobView, 404, 409, 422) | answers(200, JobView),
)
def retry_job(job_id: UUID) -> Response[JobView]:
    created = control.retry_job(jobs_adapters(), current_principal(router).user_id, str(job_id))
    status = HTTPStatus.CREATED if created.new else HTTPStatus.OK
    return json_response(created.job, status, {"Location": f"/jobs/{created.job.id}"})


@router.get(
    "/jobs/<job_id>/outputs",
    summary="Your job's result files, copied into the files domain: download each by its file id there",
    tags=[JOBS],
    responses=answers(200, JobOutputs, 404),
)
def job_outputs(job_id: UUID) -> JobOutputs:
    return outputs.outputs_view(jobs_adapters(), current_principal(router).user_id, str(job_id))


@router.get(
    "/jobs/<job_id>/password",
    summary="The password of your job's result archives (yours alone; not kept by any cache)",
    tags=[JOBS],
    responses=answers(200, ArchivePassword, 404),
)
def archive_password(job_id: UUID) -> Response[ArchivePassword]:
    password = outputs.archive_password(jobs_adapters(), current_principal(router).user_id, str(job_id))
    return json_response(password, HTTPStatus.OK, {"Cache-Control": "no-store"})

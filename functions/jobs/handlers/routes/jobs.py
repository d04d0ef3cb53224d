"""Routes of jobs: list the caller's, read one with its history."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header, Query

from fip_core.http import answers, current_principal, json_response, route_group
from jobs.domain import JobStatus
from jobs.handlers.wiring import jobs_adapters
from jobs.logic import creation, reading
from jobs.models.jobs import JobCreate, JobPage, JobStatusName, JobView

router = route_group()
JOBS = "Imputation jobs"


@router.post(
    "/jobs",
    summary="Submit a job to one service: 201 with the job, or 200 with the first job for a repeated key",
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

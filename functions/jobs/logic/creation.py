"""Creating a job: one per idempotency key, checked against its service, panel, files and the caller's
token before it is stored `pending`; the poller hands it to the service, so the request answers fast."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from fip_core.problems import ConflictError, FieldProblem, UnprocessableError
from fip_core.wes_workflow import WesWorkflow
from jobs.domain import JobRecord
from jobs.logic import lifecycle
from jobs.logic.ports import JobsAdapters
from jobs.logic.views import job_view
from jobs.models.jobs import JobCreate, JobView


@dataclass(frozen=True)
class Created:
    """The job a request made, or found when its idempotency key was used before."""

    job: JobView
    new: bool


def _problem(location: str, message: str) -> FieldProblem:
    return FieldProblem(location=location, message=message, type="job_rule")


def _refuse(location: str, message: str) -> UnprocessableError:
    return UnprocessableError(message, errors=[_problem(location, message)])


def digest(body: JobCreate) -> str:
    """The request's fingerprint: a repeated key must come with the same body."""
    return hashlib.sha256(json.dumps(body.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()


def create_job(
    adapters: JobsAdapters, user_id: str, key: str, body: JobCreate, *, retry_of: str | None = None
) -> Created:
    """The job this request asks for, checked and stored pending (a new attempt of the job `retry_of`, if
    named); the first job again for a repeated key."""
    fingerprint = digest(body)
    if (earlier := _earlier(adapters, user_id, key, fingerprint)) is not None:
        return earlier
    if not isinstance(body.service, uuid.UUID):
        raise _refuse("body.service", "`auto` and lists of services are not yet supported: name one service's id")
    service_id = str(body.service)
    service = _service(adapters, service_id)
    panel = _panel(service, body)
    _check_run_inputs(service, body)
    _check_token(adapters, user_id, service)
    _check_files(adapters, user_id, body)
    now = adapters.clock()
    job = JobRecord.pending(
        now,
        id=str(uuid.uuid4()),
        user_id=user_id,
        name=body.name,
        idempotency_key=key,
        request_digest=fingerprint,
        service_id=service_id,
        service_name=service["name"],
        api_type=service["api_type"],
        panel=panel,
        build=body.build,
        phasing=body.phasing,
        population=body.population,
        r2_filter=body.r2_filter,
        mode=body.mode,
        file_ids=[str(file_id) for file_id in body.file_ids],
        retry_of=retry_of,
    )
    try:
        with adapters.transaction() as repo:
            lifecycle.create(repo, job)
            history = repo.jobs.history(job.id)
    except ConflictError:  # the same key sent twice at once: the other request made the job
        if (earlier := _earlier(adapters, user_id, key, fingerprint)) is not None:
            return earlier
        raise
    return Created(job_view(job, history), new=True)


def _earlier(adapters: JobsAdapters, user_id: str, key: str, fingerprint: str) -> Created | None:
    with adapters.reading() as repo:
        job = repo.jobs.by_idempotency_key(user_id, key)
        if job is None:
            return None
        if job.request_digest != fingerprint:
            raise _refuse(
                "header.Idempotency-Key",
                "this key was used for another request: use a new key for a new job, or resend the first body",
            )
        return Created(job_view(job, repo.jobs.history(job.id)), new=False)


def _service(adapters: JobsAdapters, service_id: str) -> dict[str, Any]:
    service = adapters.domains.service(service_id)
    if "error" in service:
        raise _refuse("body.service", "no such service: GET /services lists them")
    if not service["active"]:
        reason = service.get("deactivated_reason") or "an administrator deactivated it"
        raise _refuse("body.service", f"the service does not take jobs now ({reason}): choose another")
    if service["health_status"] != "healthy":
        raise _refuse(
            "body.service", f"the service is {service['health_status']} now: try again later or choose another"
        )
    if service["api_type"] == "ga4gh_wes" and not service.get("workflow"):
        raise _refuse(
            "body.service", "no workflow is set for this WES service, so it takes no jobs yet: choose another"
        )
    return service


def _check_run_inputs(service: dict[str, Any], body: JobCreate) -> None:
    workflow = service.get("workflow")
    if workflow and WesWorkflow.model_validate(workflow).takes_one_file and len(body.file_ids) != 1:
        raise _refuse("body.file_ids", "this service's workflow takes one file a job: submit each file as its own job")


def _panel(service: dict[str, Any], body: JobCreate) -> str:
    panels = [p for p in service["panels"] if body.panel in (p["slug"], p["id"])]
    if not panels or not panels[0]["available"]:
        raise _refuse("body.panel", "the service offers no such panel: GET /services/{service_id}/panels lists them")
    if panels[0]["build"] != body.build:
        raise _refuse(
            "body.build", f"the panel is on {panels[0]['build']}, not {body.build}: choose a panel of your build"
        )
    return str(panels[0]["slug"])


def _check_token(adapters: JobsAdapters, user_id: str, service: dict[str, Any]) -> None:
    if not service["requires_user_token"]:
        return
    answer = adapters.domains.credential(user_id, service["id"])
    if "token" not in answer:
        raise _refuse(
            "body.service",
            "the service needs your own token: store it with PUT /me/credentials/{service_id} and submit again",
        )


def _check_files(adapters: JobsAdapters, user_id: str, body: JobCreate) -> None:
    ids = [str(file_id) for file_id in body.file_ids]
    if len(set(ids)) != len(ids):
        raise _refuse("body.file_ids", "a file is named twice: name each file once")
    files = adapters.domains.inputs(user_id, ids, links=False)["files"]
    problems: list[FieldProblem] = []
    for index, file in enumerate(files):
        where = f"body.file_ids.{index}"
        summary = file.get("summary") or {}
        if not file["found"]:
            problems.append(_problem(where, "no such file of yours: GET /files lists them"))
        elif file["status"] != "valid":
            problems.append(_problem(where, f"the file is {file['status']}, not valid"))
        elif not summary.get("chromosome"):
            problems.append(_problem(where, "the file must hold one chromosome"))
        elif (file.get("build") or summary.get("build_detected")) not in (None, body.build):
            problems.append(_problem(where, f"the file is not on {body.build}"))
    if problems:
        raise UnprocessableError("some files cannot be submitted: fix or replace them", errors=problems)
    if len({file["summary"]["samples"] for file in files}) > 1:
        raise _refuse("body.file_ids", "the files hold different numbers of samples: submit files of the same samples")
    chromosomes = [file["summary"]["chromosome"] for file in files]
    if len(set(chromosomes)) != len(chromosomes):
        raise _refuse("body.file_ids", "two files hold the same chromosome: submit one file per chromosome")

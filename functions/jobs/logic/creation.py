"""Creating a job: one per idempotency key, checked against its service (or each of several, or the
ranking `auto` chooses from), panel, files and the caller's token before it is stored `pending`; the
`submit` function hands it to the service, so the request answers fast."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, replace
from typing import Any, cast

from fip_core.problems import ConflictError, FieldProblem, UnprocessableError
from jobs.domain import JobRecord, Target
from jobs.logic import eligibility, lifecycle, reading, routing
from jobs.logic.eligibility import problem, refuse
from jobs.logic.ports import JobsAdapters
from jobs.models.jobs import JobCreate, JobView


@dataclass(frozen=True)
class Created:
    """The job a request made, or found when its idempotency key was used before."""

    job: JobView
    new: bool


def digest(body: JobCreate) -> str:
    """The request's fingerprint: a repeated key must come with the same body."""
    return hashlib.sha256(json.dumps(body.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()


def create_job(
    adapters: JobsAdapters, user_id: str, key: str, body: JobCreate, *, retry_of: str | None = None
) -> Created:
    """The job this request asks for, checked and stored pending (a new attempt of the job `retry_of`, if
    named); the first job again for a repeated key. A list of services makes a parent job with a child
    per service, every service checked before any of them is stored, all stored in one transaction;
    `auto` makes a job on the best-ranked service that can take it (`routing.choose`)."""
    fingerprint = digest(body)
    if (earlier := _earlier(adapters, user_id, key, fingerprint)) is not None:
        return earlier
    asked: dict[str, Any] = {"user_id": user_id, "name": body.name, "idempotency_key": key}
    asked |= {"request_digest": fingerprint, "retry_of": retry_of}
    found = adapters.domains.inputs(user_id, [str(file_id) for file_id in body.file_ids], links=False)["files"]
    files = eligibility.JobFiles.of(found)  # the services are checked against the files' narrowings
    if isinstance(body.service, uuid.UUID):
        family = [_job(adapters, body, _checked(adapters, user_id, str(body.service), body, files), asked)]
    elif isinstance(body.service, list):
        family = _family(adapters, user_id, body, files, asked)
    else:
        choice = routing.choose(adapters, user_id, body, files)
        family = [_job(adapters, body, choice.usable, asked | {"target": Target.AUTO, "routing": choice.record})]
    _check_files(found, body)
    try:
        with adapters.transaction() as repo:
            for job in family:
                lifecycle.create(repo, job)
            view = reading.view_of(repo, family[0])
    except ConflictError:  # the same key sent twice at once: the other request made the job
        if (earlier := _earlier(adapters, user_id, key, fingerprint)) is not None:
            return earlier
        raise
    return Created(view, new=True)


def requested_service(job: JobRecord) -> str | list[str]:
    """How `job`'s request named its service, for a retry to name it so again."""
    if job.target == Target.AUTO:
        return "auto"
    if job.is_family:
        return list((job.routing or {})["services"])
    return job.service_id


def _job(adapters: JobsAdapters, body: JobCreate, usable: eligibility.Usable, asked: dict[str, Any]) -> JobRecord:
    service = usable.service
    return JobRecord.pending(
        adapters.clock(),
        **{"id": str(uuid.uuid4()), "target": Target.SERVICE} | asked,
        service_id=str(service["id"]),
        service_name=service["name"],
        api_type=service["api_type"],
        panel=usable.panel,
        build=body.build,
        phasing=body.phasing,
        population=body.population,
        r2_filter=body.r2_filter,
        mode=body.mode,
        file_ids=[str(file_id) for file_id in body.file_ids],
    )


def _family(
    adapters: JobsAdapters, user_id: str, body: JobCreate, files: eligibility.JobFiles, asked: dict[str, Any]
) -> list[JobRecord]:
    """A parent (which runs nowhere and is never polled) and a child per service, each service checked first:
    one service outside the residency policy refuses the whole family."""
    ids = [str(service_id) for service_id in cast(list[uuid.UUID], body.service)]
    if len(set(ids)) != len(ids):
        raise refuse("body.service", "a service is named twice: name each service once")
    usable: list[eligibility.Usable] = []
    problems: list[FieldProblem] = []
    for index, service_id in enumerate(ids):
        try:
            usable.append(eligibility.check_service(adapters, user_id, service_id, body.panel, body.build, files))
        except eligibility.Unusable as unusable:
            where = f"body.service.{index}" if unusable.field == "service" else f"body.{unusable.field}"
            problems.append(problem(where, f"service {service_id}: {unusable.message}", unusable.kind))
    if problems:
        raise UnprocessableError("some services cannot take the job: fix or drop them", errors=problems)
    parent_id = str(uuid.uuid4())
    family = {"target": Target.SERVICES, "routing": {"services": ids}}
    parent = replace(
        _job(adapters, body, eligibility.Usable({"id": "", "name": "", "api_type": ""}, body.panel), asked | family),
        id=parent_id,
        next_poll_at=None,  # its children are submitted and polled; it follows them
    )
    children = [
        _job(
            adapters,
            body,
            choice,
            asked
            | {"idempotency_key": f"{parent_id}#{choice.service['id']}", "parent_id": parent_id, "retry_of": None}
            | {"routing": {"position": position}},
        )
        for position, choice in enumerate(usable)
    ]
    return [parent, *children]


def _earlier(adapters: JobsAdapters, user_id: str, key: str, fingerprint: str) -> Created | None:
    with adapters.reading() as repo:
        job = repo.jobs.by_idempotency_key(user_id, key)
        if job is None:
            return None
        if job.request_digest != fingerprint:
            raise refuse(
                "header.Idempotency-Key",
                "this key was used for another request: use a new key for a new job, or resend the first body",
            )
        return Created(reading.view_of(repo, job), new=False)


def _checked(
    adapters: JobsAdapters, user_id: str, service_id: str, body: JobCreate, files: eligibility.JobFiles
) -> eligibility.Usable:
    try:
        return eligibility.check_service(adapters, user_id, service_id, body.panel, body.build, files)
    except eligibility.Unusable as unusable:
        raise refuse(f"body.{unusable.field}", unusable.message, unusable.kind) from None


def _check_files(files: list[dict[str, Any]], body: JobCreate) -> None:
    """The caller's files as the files domain answered them: each the caller's, valid, of one chromosome,
    on the build, all of the same samples."""
    ids = [str(file_id) for file_id in body.file_ids]
    if len(set(ids)) != len(ids):
        raise refuse("body.file_ids", "a file is named twice: name each file once")
    problems: list[FieldProblem] = []
    for index, file in enumerate(files):
        where = f"body.file_ids.{index}"
        summary = file.get("summary") or {}
        if not file["found"]:
            problems.append(problem(where, "no such file of yours: GET /files lists them"))
        elif file["status"] != "valid":
            problems.append(problem(where, f"the file is {file['status']}, not valid"))
        elif not summary.get("chromosome"):
            problems.append(problem(where, "the file must hold one chromosome"))
        elif (file.get("build") or summary.get("build_detected")) not in (None, body.build):
            problems.append(problem(where, f"the file is not on {body.build}"))
    if problems:
        raise UnprocessableError("some files cannot be submitted: fix or replace them", errors=problems)
    if len({file["summary"]["samples"] for file in files}) > 1:
        raise refuse("body.file_ids", "the files hold different numbers of samples: submit files of the same samples")
    chromosomes = [file["summary"]["chromosome"] for file in files]
    if len(set(chromosomes)) != len(chromosomes):
        raise refuse("body.file_ids", "two files hold the same chromosome: submit one file per chromosome")

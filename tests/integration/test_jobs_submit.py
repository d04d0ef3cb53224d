"""`POST /jobs` in-process on SQLite and PostgreSQL, every domain on its own database and each declared
call run by its target's handler: a job is checked and stored pending; a repeated Idempotency-Key answers
the first job; each broken rule is a 422 naming the field."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from files.dal.unit_of_work import files_repository
from jobs.handlers.wiring import jobs_adapters
from tests.support.api import invoke_api
from tests.support.files import deliver, upload
from tests.support.job_world import HRC, SAMPLE, job_world, set_health
from tests.support.jobs import InProcessDomains


@pytest.fixture
def world(platform, monkeypatch):
    """A healthy service with one panel, alice's file validated and alice's and bob's tokens stored; the
    service is never reached (a job is only accepted here)."""
    monkeypatch.setattr(
        "jobs.handlers.routes.jobs.jobs_adapters", lambda: replace(jobs_adapters(), domains=InProcessDomains())
    )
    return job_world(platform, "https://imputation.example.org")


def submit(body, caller, key="key-1"):
    headers = {"Idempotency-Key": key} if key else {}
    return invoke_api("POST", "/jobs", body=body, headers=headers, principal=caller)


def _locations(answer):
    return [error["location"] for error in answer.body.get("errors") or []]


def test_a_job_is_accepted_pending_and_a_repeated_key_answers_the_same_job(world):
    first = submit(world.body(), world.alice)
    assert first.status == 201, first.body
    job = first.body
    assert (job["status"], job["panel"], job["service"]["id"], job["external_id"]) == (
        "pending",
        "apps@hrc-r1.1",
        world.service,
        None,
    )
    assert [h["status"] for h in job["history"]] == ["pending"]
    assert first.headers["Location"] == f"/jobs/{job['id']}"
    again = submit(world.body(), world.alice)
    assert (again.status, again.body["id"]) == (200, job["id"])
    other = submit(world.body(name="another name"), world.alice)
    assert other.status == 422
    assert _locations(other) == ["header.Idempotency-Key"]
    assert invoke_api("GET", "/jobs", principal=world.alice).body["total"] == 1
    assert submit(world.body(), world.alice, key="key-2").body["id"] != job["id"]
    with files_repository() as repo:
        assert repo.files.actions(world.file) == []  # checked, not yet handed to a service


def test_the_panel_may_be_named_by_its_registry_id(world):
    panel_id = invoke_api("GET", f"/services/{world.service}/panels").body["items"][0]["id"]
    answer = submit(world.body(panel=panel_id), world.alice)
    assert (answer.status, answer.body["panel"]) == (201, "apps@hrc-r1.1")


@pytest.mark.parametrize(
    ("changes", "location"),
    [
        ({"service": str(uuid.uuid4())}, "body.service"),
        ({"service": "auto", "panel": "apps@topmed-r3"}, "body.service"),  # no service offers it
        ({"service": [str(uuid.uuid4())]}, "body.service.0"),
        ({"panel": "apps@topmed-r3"}, "body.panel"),
        ({"build": "hg38"}, "body.build"),
        ({"file_ids": [str(uuid.uuid4())]}, "body.file_ids.0"),
    ],
)
def test_each_broken_rule_is_a_422_naming_the_field(world, changes, location):
    answer = submit(world.body(**changes), world.alice)
    assert answer.status == 422, answer.body
    assert location in _locations(answer)


def test_a_service_that_is_not_healthy_takes_no_job(world):
    set_health(world.service, "unhealthy")
    answer = submit(world.body(), world.alice)
    assert (answer.status, _locations(answer)) == (422, ["body.service"])
    assert "unhealthy" in answer.body["detail"]


def test_another_users_file_is_as_absent_as_a_missing_one_and_a_missing_token_is_named(world):
    invoke_api("PUT", f"/me/credentials/{world.service}", body={"token": "bobs-token"}, principal=world.bob)
    answer = submit(world.body(), world.bob)
    assert (answer.status, _locations(answer)) == (422, ["body.file_ids.0"])
    assert "no such file of yours" in str(answer.body)
    invoke_api("DELETE", f"/me/credentials/{world.service}", principal=world.bob)
    tokenless = submit(world.body(), world.bob)
    assert "PUT /me/credentials" in tokenless.body["detail"]


def test_invalid_files_and_files_of_one_chromosome_twice_are_refused(world):
    invalid = upload(world.alice, "junk.vcf.gz", b"not a vcf")
    second = upload(world.alice, "chr20-again.vcf.gz", SAMPLE.read_bytes(), build="hg19")
    assert deliver(world.s3_events.take()) == ["validated", "validated"]
    answer = submit(world.body(file_ids=[world.file, invalid]), world.alice)
    assert (answer.status, _locations(answer)) == (422, ["body.file_ids.1"])
    twice = submit(world.body(file_ids=[world.file, second]), world.alice)
    assert (twice.status, _locations(twice)) == (422, ["body.file_ids"])
    assert "same chromosome" in twice.body["detail"]


def test_a_job_needs_an_idempotency_key(world):
    answer = submit(world.body(), world.alice, key=None)
    assert answer.status == 422
    assert "idempotency-key" in str(answer.body).lower()
    assert invoke_api("GET", "/jobs", principal=world.alice).body["total"] == 0


def test_a_wes_service_takes_jobs_once_it_has_a_workflow_and_as_many_files_as_it_takes(world):
    wes = {"name": "Node", "slug": "node", "api_type": "ga4gh_wes", "base_url": "https://wes.example.org"}
    service = invoke_api("POST", "/services", body=wes).body["id"]
    invoke_api("POST", f"/services/{service}/panels", body=HRC)
    set_health(service, "healthy")
    bare = submit(world.body(service=service), world.alice)
    assert (bare.status, _locations(bare)) == (422, ["body.service"])
    assert "no workflow is set for this WES service" in bare.body["detail"]
    workflow = {"workflow_url": "https://example.org/impute.cwl", "workflow_type": "CWL",
                "workflow_type_version": "v1.2", "params_template": {"vcf": "{{file}}"}}  # fmt: skip
    assert invoke_api("PATCH", f"/services/{service}", body={"workflow": workflow}).status == 200
    two = submit(world.body(service=service, file_ids=[world.file, str(uuid.uuid4())]), world.alice, "k2")
    assert (two.status, _locations(two)) == (422, ["body.file_ids"])
    assert "takes one file a job" in two.body["detail"]
    assert submit(world.body(service=service), world.alice, "k3").status == 201

"""`POST /jobs` in-process on SQLite and PostgreSQL, every domain on its own database and each declared
call run by its target's handler: a job is checked and stored pending; a repeated Idempotency-Key answers
the first job; each broken rule is a 422 naming the field."""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import update

from files.dal.unit_of_work import files_repository
from fip_core.access import Grant, Principal, Role
from jobs.handlers.wiring import jobs_adapters
from registry.dal.tables import ServiceRow
from registry.dal.unit_of_work import registry_repository
from tests.support.accounts import sign_up
from tests.support.api import invoke_api
from tests.support.files import S3Events, deliver, upload
from tests.support.jobs import InProcessDomains

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "vcf" / "chr20.tiny.100snps.vcf.gz"
SERVICE = {"name": "Michigan", "slug": "michigan", "api_type": "michigan", "base_url": "https://imputation.example.org",
           "requires_user_token": True, "supported_builds": ["hg19", "hg38"]}  # fmt: skip
HRC = {"slug": "apps@hrc-r1.1", "display_name": "HRC r1.1", "build": "hg19", "populations": ["EUR"]}


@pytest.fixture
def world(platform, monkeypatch):
    monkeypatch.setattr(
        "jobs.handlers.routes.jobs.jobs_adapters", lambda: replace(jobs_adapters(), domains=InProcessDomains())
    )
    s3_events = S3Events(platform).start()
    service = invoke_api("POST", "/services", body=SERVICE).body["id"]
    invoke_api("POST", f"/services/{service}/panels", body=HRC)
    _health(service, "healthy")
    alice, bob = _researcher(), _researcher()
    stored = invoke_api("PUT", f"/me/credentials/{service}", body={"token": "alices-token"}, principal=alice)
    assert stored.status in (200, 201), stored.body
    valid = upload(alice, "chr20.vcf.gz", SAMPLE.read_bytes(), build="hg19")
    assert deliver(s3_events.take()) == ["validated"]
    return {"service": service, "file": valid, "s3_events": s3_events, "alice": alice, "bob": bob}


def _researcher():
    """A signed-up user (the users domain keeps credentials of known users only), as a principal."""
    return Principal(user_id=sign_up().user_id, method="cognito", grants=[Grant(role=Role.RESEARCHER)])


def _health(service_id, status):
    with registry_repository() as repo:
        repo.session.execute(update(ServiceRow).where(ServiceRow.id == service_id).values(health_status=status))


def _body(world, **changes):
    body = {"name": "chr20", "service": world["service"], "panel": "apps@hrc-r1.1", "build": "hg19",
            "phasing": "eagle", "mode": "imputation", "file_ids": [world["file"]]}  # fmt: skip
    return body | changes


def submit(body, caller, key="key-1"):
    headers = {"Idempotency-Key": key} if key else {}
    return invoke_api("POST", "/jobs", body=body, headers=headers, principal=caller)


def _locations(answer):
    return [error["location"] for error in answer.body.get("errors") or []]


def test_a_job_is_accepted_pending_and_a_repeated_key_answers_the_same_job(world):
    first = submit(_body(world), world["alice"])
    assert first.status == 201, first.body
    job = first.body
    assert (job["status"], job["panel"], job["service"]["id"], job["external_id"]) == (
        "pending",
        "apps@hrc-r1.1",
        world["service"],
        None,
    )
    assert [h["status"] for h in job["history"]] == ["pending"]
    assert first.headers["Location"] == f"/jobs/{job['id']}"
    again = submit(_body(world), world["alice"])
    assert (again.status, again.body["id"]) == (200, job["id"])
    other = submit(_body(world, name="another name"), world["alice"])
    assert other.status == 422
    assert _locations(other) == ["header.Idempotency-Key"]
    assert invoke_api("GET", "/jobs", principal=world["alice"]).body["total"] == 1
    assert submit(_body(world), world["alice"], key="key-2").body["id"] != job["id"]
    with files_repository() as repo:
        assert repo.files.actions(world["file"]) == []  # checked, not yet handed to a service


def test_the_panel_may_be_named_by_its_registry_id(world):
    panel_id = invoke_api("GET", f"/services/{world['service']}/panels").body["items"][0]["id"]
    answer = submit(_body(world, panel=panel_id), world["alice"])
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
    answer = submit(_body(world, **changes), world["alice"])
    assert answer.status == 422, answer.body
    assert location in _locations(answer)


def test_a_service_that_is_not_healthy_takes_no_job(world):
    _health(world["service"], "unhealthy")
    answer = submit(_body(world), world["alice"])
    assert (answer.status, _locations(answer)) == (422, ["body.service"])
    assert "unhealthy" in answer.body["detail"]


def test_another_users_file_is_as_absent_as_a_missing_one_and_a_missing_token_is_named(world):
    invoke_api("PUT", f"/me/credentials/{world['service']}", body={"token": "bobs-token"}, principal=world["bob"])
    answer = submit(_body(world), world["bob"])
    assert (answer.status, _locations(answer)) == (422, ["body.file_ids.0"])
    assert "no such file of yours" in str(answer.body)
    invoke_api("DELETE", f"/me/credentials/{world['service']}", principal=world["bob"])
    tokenless = submit(_body(world), world["bob"])
    assert "PUT /me/credentials" in tokenless.body["detail"]


def test_invalid_files_and_files_of_one_chromosome_twice_are_refused(world):
    invalid = upload(world["alice"], "junk.vcf.gz", b"not a vcf")
    second = upload(world["alice"], "chr20-again.vcf.gz", SAMPLE.read_bytes(), build="hg19")
    assert deliver(world["s3_events"].take()) == ["validated", "validated"]
    answer = submit(_body(world, file_ids=[world["file"], invalid]), world["alice"])
    assert (answer.status, _locations(answer)) == (422, ["body.file_ids.1"])
    twice = submit(_body(world, file_ids=[world["file"], second]), world["alice"])
    assert (twice.status, _locations(twice)) == (422, ["body.file_ids"])
    assert "same chromosome" in twice.body["detail"]


def test_a_job_needs_an_idempotency_key(world):
    answer = submit(_body(world), world["alice"], key=None)
    assert answer.status == 422
    assert "idempotency-key" in str(answer.body).lower()
    assert invoke_api("GET", "/jobs", principal=world["alice"]).body["total"] == 0

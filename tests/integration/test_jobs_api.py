"""The jobs API's reading routes in-process, on SQLite and PostgreSQL: a user lists and reads their own
jobs with status, steps and history; another user's job is as absent as a missing one; an admin reads
any job's metadata."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from jobs.adapters.base import ExternalState, ExternalStatus, LogMessage, MessageLevel, Step
from jobs.dal.unit_of_work import STORE
from jobs.domain import JobStatus
from jobs.logic import lifecycle
from tests.support.api import invoke_api
from tests.support.files import ADMIN, ALICE, BOB
from tests.support.jobs import START, new_job, store

pytestmark = pytest.mark.usefixtures("jobs_db")


def api(method, path, caller, query=None):
    return invoke_api(method, path, query=query, principal=caller)


def failed_in_qc(user_id):
    job = store(new_job(user_id))
    logs = (Step("Quality Control", (LogMessage("No chunks passed the QC step", MessageLevel.ERROR),)),)
    report = ExternalStatus("job-1", ExternalState.FAILED, "5 FAILED", error="QC failed", steps=logs)
    with STORE.transaction(relay=False) as repo:
        taken = lifecycle.transition(repo, job, JobStatus.SUBMITTED, START, "taken", external_id="job-1")
        assert taken is not None
        return lifecycle.apply_report(
            repo, taken, report, START, poll_every=timedelta(minutes=1), stalled_after=timedelta(hours=1)
        )


def test_a_user_reads_their_job_with_its_steps_error_and_history():
    job = failed_in_qc(ALICE.user_id)
    answer = api("GET", f"/jobs/{job.id}", ALICE)
    assert answer.status == 200, answer.body
    body = answer.body
    assert (body["status"], body["external_id"], body["error"]) == ("failed", "job-1", "QC failed")
    assert body["service"] == {"id": job.service_id, "name": "Michigan", "api_type": "michigan"}
    assert body["steps"][0]["messages"][0] == {"text": "No chunks passed the QC step", "level": "error", "time": None}
    assert [(h["revision"], h["previous_status"], h["status"]) for h in body["history"]] == [
        (1, None, "pending"),
        (2, "pending", "submitted"),
        (3, "submitted", "failed"),
    ]
    assert body["history"][-1]["reason"] == "the service reports 5 FAILED"


def test_another_users_job_is_not_found_but_an_admin_reads_it():
    job = store(new_job(ALICE.user_id))
    assert api("GET", f"/jobs/{job.id}", BOB).status == 404
    assert api("GET", f"/jobs/{uuid.uuid4()}", ALICE).status == 404
    assert api("GET", f"/jobs/{job.id}", ADMIN).body["id"] == job.id


def test_a_user_lists_only_their_own_jobs_newest_first_paged_and_by_status():
    oldest = store(new_job(ALICE.user_id, created_at=START))
    newest = store(new_job(ALICE.user_id, created_at=START.replace(hour=13)))
    failed = failed_in_qc(ALICE.user_id)
    store(new_job(BOB.user_id))
    listed = api("GET", "/jobs", ALICE).body
    assert listed["total"] == 3
    assert [item["id"] for item in listed["items"]][:1] == [newest.id]
    assert {item["id"] for item in listed["items"]} == {oldest.id, newest.id, failed.id}
    page = api("GET", "/jobs", ALICE, {"limit": "1", "offset": "1"}).body
    assert (len(page["items"]), page["total"], page["offset"]) == (1, 3, 1)
    assert [item["id"] for item in api("GET", "/jobs", ALICE, {"status": "failed"}).body["items"]] == [failed.id]
    assert api("GET", "/jobs", ADMIN).body["total"] == 0  # the list is one's own, for admins too


def test_an_unknown_status_filter_is_a_422_naming_the_field():
    answer = api("GET", "/jobs", ALICE, {"status": "done"})
    assert answer.status == 422
    assert "status" in str(answer.body)

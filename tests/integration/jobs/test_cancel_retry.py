"""`POST /jobs/{id}/cancel` cancels on the service (Cloudgene's cancel is a GET, and the fake's job is
CANCELED afterwards), a pending job here, a finished one not at all; `POST /jobs/{id}/retry` makes one
new job of a failed or cancelled one, linked to it and submitted like any other. In process, on SQLite
and PostgreSQL, against the Cloudgene contract fake."""

from __future__ import annotations

from tests.support.api import invoke_api
from tests.support.job_world import ALICES_TOKEN
from tests.support.jobs import job_events, poll, submit_pending


def cancel(job_id, caller):
    return invoke_api("POST", f"/jobs/{job_id}/cancel", principal=caller)


def retry(job_id, caller):
    return invoke_api("POST", f"/jobs/{job_id}/retry", principal=caller)


def test_cancelling_a_job_the_service_holds_cancels_it_there(world, fake, clock):
    job = world.submit()
    submit_pending(job["id"])
    external_id = world.job(job["id"])["external_id"]
    answer = cancel(job["id"], world.alice)
    assert (answer.status, answer.body["status"]) == (200, "cancelled")
    assert fake.jobs[external_id].state == 6  # CANCELED on the server
    assert ("GET", f"/api/v2/jobs/{external_id}/cancel") in [(m, p) for m, p, _ in fake.requests]
    assert [e["detail"]["data"]["status"] for e in job_events(job["id"])] == ["pending", "submitted", "cancelled"]
    again = cancel(job["id"], world.alice)
    assert again.status == 409
    clock.advance(minutes=1)
    assert poll()["due"] == 0


def test_a_pending_job_is_cancelled_here_and_never_submitted(world, fake):
    job = world.submit()
    assert cancel(job["id"], world.alice).body["status"] == "cancelled"
    assert submit_pending(job["id"])["outcome"] == "not_due"
    assert fake.jobs == {}


def test_another_users_job_is_as_absent_as_a_missing_one(world, fake):
    job = world.submit()
    submit_pending(job["id"])
    assert cancel(job["id"], world.bob).status == 404
    assert retry(job["id"], world.bob).status == 404
    assert fake.jobs[world.job(job["id"])["external_id"]].state == 1


def test_a_service_that_cannot_cancel_now_answers_503_and_the_job_goes_on(world, fake):
    job = world.submit()
    submit_pending(job["id"])
    fake.maintenance = True
    answer = cancel(job["id"], world.alice)
    assert answer.status == 503, answer.body
    assert world.job(job["id"])["status"] == "submitted"


def test_a_failed_job_is_retried_once_as_a_new_linked_job(world, fake, clock):
    fake.tokens.pop(ALICES_TOKEN)
    job = world.submit()
    submit_pending(job["id"])
    assert world.job(job["id"])["status"] == "failed"
    assert retry(world.submit(key="key-2")["id"], world.alice).status == 409  # a pending job is not retried
    fake.tokens[ALICES_TOKEN] = "alice"
    first = retry(job["id"], world.alice)
    assert first.status == 201, first.body
    assert (first.body["retry_of"], first.body["status"]) == (job["id"], "pending")
    again = retry(job["id"], world.alice)
    assert (again.status, again.body["id"]) == (200, first.body["id"])
    assert submit_pending(first.body["id"])["outcome"] == "submitted"
    assert len(fake.jobs) == 1

"""The scheduled poll against the Cloudgene contract fake, in process on SQLite and PostgreSQL: each
state the service reports becomes a transition with its history entry and event, with progress, queue
position and the service's steps; a QC failure fails the job with the service's messages; a job with
no news is flagged stalled; a job whose service left the registry, or that the service forgot, fails
with the reason and is polled no more."""

from __future__ import annotations

import pytest

from tests.support.api import invoke_api
from tests.support.cloudgene import ERROR, OK, RUNNING, WARNING
from tests.support.jobs import job_events, poll, submit_pending


@pytest.fixture
def submitted(world, fake, clock):
    """A job its service has taken (queued there), and its id on the service."""
    job = world.submit()
    assert submit_pending(job["id"])["outcome"] == "submitted"
    clock.advance(minutes=1)
    return job["id"], world.job(job["id"])["external_id"]


def statuses(job_id):
    return [event["detail"]["data"]["status"] for event in job_events(job_id)]


def test_each_reported_state_is_one_transition_with_the_services_steps(world, fake, clock, submitted):
    job_id, external_id = submitted
    assert poll()["transitions"] == 1
    seen = world.job(job_id)
    assert (seen["status"], seen["position_in_queue"], seen["progress"]) == ("queued", 0, 0)
    clock.advance(minutes=1)
    fake.run(external_id, ("Input Validation", [(OK, "3 valid VCF files")]), ("Imputation", [(RUNNING, "chr20")]))
    assert poll()["transitions"] == 1
    seen = world.job(job_id)
    assert seen["status"] == "running"
    assert [step["name"] for step in seen["steps"]] == ["Input Validation", "Imputation"]
    message = seen["steps"][1]["messages"][0]
    assert (message["text"], message["level"]) == ("chr20", "running")
    clock.advance(minutes=1)
    assert poll()["transitions"] == 0  # nothing new: no transition, no event
    clock.advance(minutes=1)
    fake.complete(external_id, {"chr_20.zip": b"imputed"})
    assert poll()["transitions"] == 1
    seen = world.job(job_id)
    assert (seen["status"], seen["progress"]) == ("completed", 100)
    assert statuses(job_id) == ["pending", "submitted", "queued", "running", "completed"]
    clock.advance(minutes=1)
    assert poll()["due"] == 0  # a finished job is not polled


def test_a_qc_failure_fails_the_job_with_the_services_messages(world, fake, clock, submitted):
    job_id, external_id = submitted
    fake.fail(
        external_id,
        ("Input Validation", [(OK, "1 valid VCF file")]),
        ("Quality Control", [(WARNING, "Strand flips: 3"), (ERROR, "No chunks passed the QC step.")]),
    )
    poll()
    seen = world.job(job_id)
    assert seen["status"] == "failed"
    assert "No chunks passed the QC step." in seen["error"]
    assert statuses(job_id)[-1] == "failed"


def test_a_job_without_news_is_flagged_stalled_and_news_clears_it(world, fake, clock, submitted, monkeypatch):
    from jobs.settings import jobs_settings

    monkeypatch.setenv("JOBS_STALLED_AFTER_MINUTES", "30")
    jobs_settings.cache_clear()
    job_id, external_id = submitted
    poll()  # queued: news
    clock.advance(minutes=20)
    poll()
    assert world.job(job_id)["stalled"] is False
    clock.advance(minutes=20)
    poll()
    assert world.job(job_id)["stalled"] is True
    clock.advance(minutes=1)
    fake.run(external_id, ("Imputation", [(RUNNING, "chr20")]))
    poll()
    assert (world.job(job_id)["stalled"], world.job(job_id)["status"]) == (False, "running")


def test_a_service_that_leaves_the_registry_fails_its_jobs_which_are_polled_no_more(world, fake, clock, submitted):
    job_id, _ = submitted
    deleted = invoke_api("DELETE", f"/services/{world.service}")
    assert deleted.status == 204, deleted.body
    report = poll()
    assert report["lost"] == 1
    seen = world.job(job_id)
    assert seen["status"] == "failed"
    assert "removed from the registry" in seen["error"]
    clock.advance(minutes=5)
    assert poll()["due"] == 0


def test_a_job_the_service_forgot_fails(world, fake, clock, submitted):
    job_id, external_id = submitted
    with fake.lock:
        del fake.jobs[external_id]
    poll()
    seen = world.job(job_id)
    assert (seen["status"], "no longer knows" in seen["error"]) == ("failed", True)


def test_a_service_that_does_not_answer_leaves_the_job_as_it_was(world, fake, clock, submitted):
    job_id, _ = submitted
    fake.maintenance = True
    assert poll()["transitions"] == 0
    seen = world.job(job_id)
    assert seen["status"] == "submitted"
    assert "under maintenance" in seen["waiting_for_service"]

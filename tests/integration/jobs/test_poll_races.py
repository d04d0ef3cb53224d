"""Two polls racing over the same jobs, on SQLite and PostgreSQL: both read every job at the same
version and ask the service, then both write; each job gets one transition and one event between them."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta

import pytest

from fip_core.outbound.loop import run
from jobs.dal.unit_of_work import STORE
from jobs.domain import JobStatus
from jobs.handlers.wiring import jobs_adapters
from jobs.logic import lifecycle
from jobs.logic.polling import poll_pass
from jobs.logic.submission import Timings
from tests.support.cloudgene import RUNNING, CloudgeneFake
from tests.support.jobs import START, Clock, job_events, new_job, store

pytestmark = pytest.mark.usefixtures("jobs_db", "outbound_to_loopback")
TOKEN = "token-of-ada"
JOBS = 12
TIMINGS = Timings(poll_every=timedelta(minutes=1), lease=timedelta(minutes=16), stalled_after=timedelta(hours=1))


class OneService:
    """The registry and the users domain as the poll asks them, for one Cloudgene service."""

    def __init__(self, base_url):
        self.base_url = base_url

    def service(self, service_id):
        return {"id": service_id, "api_type": "michigan", "base_url": self.base_url, "requires_user_token": True}

    def credential(self, user_id, service_id):
        return {"token": TOKEN}

    def inputs(self, user_id, file_ids, *, links, recipient=None):
        raise AssertionError("no job here is pending")

    def discover(self, panel, build):
        raise AssertionError("no job here is routed")

    def results(self, call):
        raise AssertionError("no job here completes")


@pytest.fixture
def fake():
    with CloudgeneFake({TOKEN: "ada"}) as server:
        yield server


def running_jobs(fake, service_id):
    """Jobs submitted to the fake and running there; submitted here, a minute ago."""
    fake.max_running_per_user = JOBS
    ids = []
    for index in range(JOBS):
        status, answer = fake.submit("ada", "imputationserver2", [("job-name", f"job {index}", None)])
        assert status == 200
        fake.run(answer["id"], ("Imputation", [(RUNNING, "chr20")]))
        job = store(new_job("ada", service_id=service_id))
        with STORE.transaction(relay=False) as repo:
            lifecycle.transition(repo, job, JobStatus.SUBMITTED, START, "taken", external_id=answer["id"])
        ids.append(job.id)
    return ids


def test_two_polls_racing_apply_each_transition_once(fake):
    service_id = "5f0c5e8e-0000-4000-8000-000000000001"
    ids = running_jobs(fake, service_id)
    both_read = threading.Barrier(2, timeout=60)
    reports = []

    def one_poll():
        base = replace(jobs_adapters(), domains=OneService(fake.base_url), clock=Clock(START + timedelta(minutes=2)))
        waited: list[int] = []

        def batch():
            if not waited:  # the first write of each poll waits until both have read and asked
                waited.append(both_read.wait())
            return base.batch()

        reports.append(run(poll_pass(replace(base, batch=batch), TIMINGS, cap=3, limit=100)))

    threads = [threading.Thread(target=one_poll) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(reports) == 2
    assert [r.polled for r in reports] == [JOBS, JOBS]  # both polled every job
    assert sum(r.transitions for r in reports) == JOBS
    assert sum(r.lost_races for r in reports) == JOBS
    for job_id in ids:
        assert [e["detail"]["data"]["status"] for e in job_events(job_id)] == ["pending", "submitted", "running"]

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
from tests.support.jobs import START, Clock, CloudgeneDomains, job_events, new_job, store

pytestmark = pytest.mark.usefixtures("jobs_db", "outbound_to_loopback")
TOKEN = "token-of-ada"
JOBS = 12
TIMINGS = Timings(poll_every=timedelta(minutes=1), lease=timedelta(minutes=16), stalled_after=timedelta(hours=1))


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
        base = replace(
            jobs_adapters(),
            domains=CloudgeneDomains(lambda _: fake.base_url, TOKEN),
            clock=Clock(START + timedelta(minutes=2)),
        )
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

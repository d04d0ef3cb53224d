"""A job's transitions as stored, on SQLite and PostgreSQL: each one with its history entry and exactly
one JobStatusChanged in the same transaction; two pollers that read the same version of a job apply one
transition between them; a service that holds a job or says nothing new changes no status."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from fip_core.repository import DuplicateError
from jobs.adapters.base import ExternalState, ExternalStatus, LogMessage, MessageLevel, Step
from jobs.dal.tables import EVENTS
from jobs.dal.unit_of_work import STORE
from jobs.domain import JobStatus
from jobs.logic import lifecycle
from jobs.logic.transitions import TransitionRefusedError
from tests.support.jobs import START, new_job, store

pytestmark = pytest.mark.usefixtures("jobs_db")
MINUTE = timedelta(minutes=1)
TIMING = {"poll_every": MINUTE, "stalled_after": timedelta(hours=1)}


def read(job_id):
    with STORE.reading() as repo:
        return repo.jobs.get(job_id), repo.jobs.history(job_id)


def events(job_id):
    """The JobStatusChanged events queued for a job, by revision."""
    with STORE.reading() as repo:
        rows = repo.session.execute(select(EVENTS.outbox.c.detail)).scalars()
        data = [detail["data"] for detail in rows if detail["metadata"]["name"] == "JobStatusChanged"]
        return sorted((event for event in data if event["job_id"] == job_id), key=lambda e: e["revision"])


def report(state, **fields):
    return ExternalStatus(external_id="job-1", state=state, service_state=fields.pop("raw", state.value), **fields)


def apply(job, status, at):
    with STORE.transaction(relay=False) as repo:
        return lifecycle.apply_report(repo, job, status, at, **TIMING)


def submitted(job):
    with STORE.transaction(relay=False) as repo:
        return lifecycle.transition(repo, job, JobStatus.SUBMITTED, START, "taken", external_id="job-1")


def test_a_new_job_is_pending_with_its_first_history_entry_and_event():
    job = store(new_job())
    stored, history = read(job.id)
    assert stored == job
    assert [(t.revision, t.previous_status, t.status) for t in history] == [(1, None, JobStatus.PENDING)]
    [event] = events(job.id)
    assert (event["previous_status"], event["status"], event["revision"]) == (None, "pending", 1)


def test_each_transition_writes_one_history_entry_and_one_event():
    job = submitted(store(new_job()))
    job = apply(job, report(ExternalState.QUEUED, position_in_queue=3), START + MINUTE)
    job = apply(job, report(ExternalState.RUNNING, progress=40), START + 2 * MINUTE)
    job = apply(job, report(ExternalState.COMPLETED, progress=100), START + 3 * MINUTE)
    stored, history = read(job.id)
    assert stored.status is JobStatus.COMPLETED
    assert (stored.finished_at, stored.next_poll_at, stored.progress) == (START + 3 * MINUTE, None, 100)
    statuses = ["pending", "submitted", "queued", "running", "completed"]
    assert [t.status.value for t in history] == statuses
    assert [(e["status"], e["revision"]) for e in events(job.id)] == list(zip(statuses, range(1, 6), strict=True))
    assert [e["previous_status"] for e in events(job.id)] == [None, *statuses[:-1]]


def test_two_pollers_that_read_the_same_version_apply_one_transition():
    job = submitted(store(new_job()))
    first, second = read(job.id)[0], read(job.id)[0]  # both pollers read the job before either writes
    assert apply(first, report(ExternalState.RUNNING, progress=10), START + MINUTE) is not None
    assert apply(second, report(ExternalState.RUNNING, progress=12), START + MINUTE) is None
    stored, history = read(job.id)
    assert (stored.status, stored.progress, stored.revision) == (JobStatus.RUNNING, 10, 3)
    assert [t.status for t in history].count(JobStatus.RUNNING) == 1
    assert [e["status"] for e in events(job.id)].count("running") == 1


def test_a_lost_race_without_a_transition_changes_nothing_either():
    job = submitted(store(new_job()))
    apply(job, report(ExternalState.RUNNING, progress=10), START + MINUTE)
    stale = apply(job, report(ExternalState.QUEUED, position_in_queue=2), START + MINUTE)
    assert stale is None
    assert read(job.id)[0].position_in_queue is None


def test_a_service_holding_the_job_is_noted_without_a_transition():
    job = apply(submitted(store(new_job())), report(ExternalState.QUEUED), START)
    waiting = report(ExternalState.WAITING_FOR_SERVICE, raw="-1", error="you have 3 jobs running, the most allowed")
    job = apply(job, waiting, START + MINUTE)
    assert (job.status, job.waiting_reason) == (JobStatus.QUEUED, "you have 3 jobs running, the most allowed")
    assert len(events(job.id)) == 3
    job = apply(job, report(ExternalState.RUNNING), START + 2 * MINUTE)
    assert (job.status, job.waiting_reason) == (JobStatus.RUNNING, None)


def test_a_failure_keeps_the_services_words_and_its_steps():
    job = submitted(store(new_job()))
    logs = (Step("Quality Control", (LogMessage("No chunks passed the QC step", MessageLevel.ERROR),)),)
    failed = report(ExternalState.FAILED, raw="5 FAILED", error="QC failed", steps=logs)
    job = apply(job, failed, START + MINUTE)
    stored, history = read(job.id)
    assert (stored.status, stored.error) == (JobStatus.FAILED, "QC failed")
    assert stored.steps == [
        {
            "name": "Quality Control",
            "messages": [{"text": "No chunks passed the QC step", "level": "error", "time": None}],
        }
    ]
    assert history[-1].reason == "the service reports 5 FAILED"
    assert events(job.id)[-1]["error"] == "QC failed"


def test_a_failure_the_service_does_not_explain_says_what_it_reported():
    job = apply(submitted(store(new_job())), report(ExternalState.FAILED, raw="EXECUTOR_ERROR"), START)
    assert job.error == "the service reports EXECUTOR_ERROR"


def test_a_job_with_no_news_for_too_long_is_flagged_stalled_and_still_polled():
    job = apply(submitted(store(new_job())), report(ExternalState.RUNNING, progress=5), START)
    job = apply(job, report(ExternalState.RUNNING, progress=5), START + 30 * MINUTE)
    assert not job.stalled
    job = apply(job, report(ExternalState.RUNNING, progress=5), START + 61 * MINUTE)
    assert job.stalled
    assert job.next_poll_at == START + 62 * MINUTE
    job = apply(job, report(ExternalState.RUNNING, progress=6), START + 62 * MINUTE)
    assert not job.stalled


def test_a_refused_transition_writes_nothing():
    job = apply(submitted(store(new_job())), report(ExternalState.COMPLETED), START)
    with pytest.raises(TransitionRefusedError), STORE.transaction(relay=False) as repo:
        lifecycle.transition(repo, job, JobStatus.RUNNING, START + MINUTE, "late")
    assert read(job.id)[0] == job
    assert apply(job, report(ExternalState.RUNNING), START + MINUTE) == job  # a late answer changes nothing
    assert read(job.id)[0] == job


def test_one_idempotency_key_makes_one_job_per_user():
    store(new_job(key="retry-1"))
    with pytest.raises(DuplicateError):
        store(new_job(key="retry-1"))
    assert store(new_job(user_id="bob", key="retry-1")).user_id == "bob"


def test_a_user_reads_only_their_own_jobs():
    alices = store(new_job())
    with STORE.reading() as repo:
        assert repo.jobs.owned("alice", alices.id) == alices
        assert repo.jobs.owned("bob", alices.id) is None
        assert repo.jobs.by_idempotency_key("bob", alices.idempotency_key) is None
        assert repo.jobs.page("bob", None, 10, 0) == ([], 0)
        assert repo.jobs.page("alice", JobStatus.PENDING, 10, 0) == ([alices], 1)
        assert repo.jobs.page("alice", JobStatus.RUNNING, 10, 0) == ([], 0)

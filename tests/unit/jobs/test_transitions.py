"""The job state machine: forward only, finished is final, and what each report of a service moves a job to."""

import itertools

import pytest

from jobs.adapters.base import ExternalState
from jobs.domain import FINISHED, JobStatus
from jobs.logic.transitions import TransitionRefusedError, check, may_follow, reported

S = JobStatus
FORWARD = [
    (S.PENDING, S.SUBMITTED),
    (S.SUBMITTED, S.QUEUED),
    (S.QUEUED, S.RUNNING),
    (S.RUNNING, S.COMPLETED),
    (S.SUBMITTED, S.RUNNING),  # queued unseen between two polls
    (S.SUBMITTED, S.COMPLETED),
    (S.QUEUED, S.COMPLETED),
    (S.PENDING, S.FAILED),  # refused at submission
    (S.PENDING, S.CANCELLED),
    (S.RUNNING, S.FAILED),
    (S.QUEUED, S.CANCELLED),
]


@pytest.mark.parametrize(("current", "target"), FORWARD)
def test_a_job_moves_forward(current, target):
    assert may_follow(current, target)
    check(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [(S.RUNNING, S.QUEUED), (S.QUEUED, S.SUBMITTED), (S.SUBMITTED, S.PENDING), (S.RUNNING, S.PENDING)],
)
def test_a_job_never_moves_back(current, target):
    with pytest.raises(TransitionRefusedError, match=f"a {current} job cannot become {target}"):
        check(current, target)


@pytest.mark.parametrize(("current", "target"), list(itertools.product(sorted(FINISHED), list(S))))
def test_a_finished_job_never_changes(current, target):
    assert not may_follow(current, target)


@pytest.mark.parametrize("target", [S.QUEUED, S.RUNNING, S.COMPLETED])
def test_only_a_job_its_service_took_can_be_queued_run_or_completed(target):
    assert not may_follow(S.PENDING, target)


@pytest.mark.parametrize("status", list(S))
def test_no_status_follows_itself(status):
    assert not may_follow(status, status)


@pytest.mark.parametrize(
    ("current", "state", "target"),
    [
        (S.SUBMITTED, ExternalState.QUEUED, S.QUEUED),
        (S.SUBMITTED, ExternalState.RUNNING, S.RUNNING),
        (S.QUEUED, ExternalState.RUNNING, S.RUNNING),
        (S.RUNNING, ExternalState.COMPLETED, S.COMPLETED),
        (S.RUNNING, ExternalState.FAILED, S.FAILED),
        (S.QUEUED, ExternalState.CANCELLED, S.CANCELLED),
        (S.SUBMITTED, ExternalState.COMPLETED, S.COMPLETED),
    ],
)
def test_a_report_that_moves_on_is_a_transition(current, state, target):
    assert reported(current, state) is target


@pytest.mark.parametrize(
    ("current", "state"),
    [
        (S.RUNNING, ExternalState.RUNNING),  # nothing new
        (S.RUNNING, ExternalState.QUEUED),  # a late answer: older than what we know
        (S.QUEUED, ExternalState.WAITING_FOR_SERVICE),  # noted on the job, not a status
        (S.RUNNING, ExternalState.WAITING_FOR_SERVICE),
        (S.COMPLETED, ExternalState.FAILED),  # finished is final
        (S.CANCELLED, ExternalState.RUNNING),
    ],
)
def test_a_report_that_does_not_move_on_is_no_transition(current, state):
    assert reported(current, state) is None


def test_every_state_a_service_reports_is_understood():
    for state in ExternalState:
        for current in (S.SUBMITTED, S.QUEUED, S.RUNNING):
            target = reported(current, state)
            assert target is None or may_follow(current, target)

"""The status of a job sent to several services, from its children's: as far along as the furthest
unfinished child and never back while any is unfinished; once all have finished, completed if any
completed, else failed if any failed, else cancelled."""

from __future__ import annotations

from dataclasses import replace

import pytest

from jobs.domain import JobStatus
from jobs.logic import transitions
from jobs.logic.family_status import family_error, family_progress, family_reason, family_status
from tests.support.jobs import new_job

P, S, Q, R = JobStatus.PENDING, JobStatus.SUBMITTED, JobStatus.QUEUED, JobStatus.RUNNING
C, F, X = JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED


@pytest.mark.parametrize(
    ("current", "children", "expected"),
    [
        (P, [P, P], P),
        (P, [S, P], S),
        (S, [Q, S], Q),
        (Q, [R, P], R),  # running while any runs
        (R, [C, Q], R),  # one finished, one waits: never back to queued
        (S, [F, P], S),  # a child that failed early moves the parent nowhere
        (R, [C, C], C),
        (R, [C, F], C),  # some results: completed, each child says how it ended
        (R, [C, X], C),
        (R, [F, F], F),
        (R, [F, X], F),
        (S, [X, X], X),
        (P, [X], X),
    ],
)
def test_the_parent_follows_its_children(current, children, expected):
    assert family_status(current, children) == expected


def test_every_status_it_gives_is_one_the_state_machine_lets_follow():
    unfinished, every, taken = (P, S, Q, R), list(JobStatus), {S, Q, R, C}
    for current in unfinished:
        for first in every:
            for second in every:
                if current is P and {first, second} & taken:
                    continue  # a child its service took was submitted first, and moved the parent on then
                target = family_status(current, [first, second])
                assert target == current or transitions.may_follow(current, target), (current, first, second)


def test_a_family_has_children():
    with pytest.raises(ValueError, match="at least one child"):
        family_status(P, [])


def test_progress_error_and_reason_speak_of_every_child():
    done = replace(new_job(), status=C, service_name="Michigan")
    halfway = replace(new_job(), status=R, progress=50, service_name="TOPMed")
    failed = replace(new_job(), status=F, error="QC failed", service_name="H3Africa")
    assert family_progress([done, halfway]) == 75
    assert family_progress([replace(halfway, progress=None)]) is None
    assert family_error([done, failed]) == "H3Africa: QC failed"
    assert family_error([done, halfway]) is None
    assert family_reason([done, halfway, failed]) == "its children: 1 completed, 1 failed, 1 running"

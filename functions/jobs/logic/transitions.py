"""The job state machine: which status may follow which, and what a service's report moves a job to.

A pure policy, no I/O: the logic that applies a transition asks it first, and data access refuses an
update whose version is stale, so a transition is checked here and applied once there.
"""

from __future__ import annotations

from jobs.adapters.base import ExternalState
from jobs.domain import JobStatus

# A job only moves forward. A poll once a minute may miss states in between (a short job goes from
# queued to completed unseen), so any later state may follow; a finished job never changes again.
_ORDER = (JobStatus.PENDING, JobStatus.SUBMITTED, JobStatus.QUEUED, JobStatus.RUNNING)
ALLOWED: dict[JobStatus, frozenset[JobStatus]] = {
    status: frozenset(_ORDER[index + 1 :]) | {JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED}
    for index, status in enumerate(_ORDER)
} | {finished: frozenset() for finished in (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED)}

# only a job its service has taken can be completed by it
ALLOWED[JobStatus.PENDING] -= {JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.COMPLETED}

_REPORTED = {
    ExternalState.QUEUED: JobStatus.QUEUED,
    ExternalState.RUNNING: JobStatus.RUNNING,
    ExternalState.COMPLETED: JobStatus.COMPLETED,
    ExternalState.FAILED: JobStatus.FAILED,
    ExternalState.CANCELLED: JobStatus.CANCELLED,
}


class TransitionRefusedError(ValueError):
    """A status may not follow the job's current one."""

    def __init__(self, current: JobStatus, target: JobStatus) -> None:
        super().__init__(f"a {current} job cannot become {target}")
        self.current = current
        self.target = target


def may_follow(current: JobStatus, target: JobStatus) -> bool:
    """Whether `target` may follow `current`."""
    return target in ALLOWED[current]


def check(current: JobStatus, target: JobStatus) -> None:
    """Refuse a transition the state machine does not allow."""
    if not may_follow(current, target):
        raise TransitionRefusedError(current, target)


def reported(current: JobStatus, state: ExternalState) -> JobStatus | None:
    """The status a service's report moves a job to, or None when it stays where it is: the service
    says what the job already is, says something older than we know (a late or reordered answer), or
    holds the job for a reason of its own (waiting for the service is not a status: it is noted on the
    job and the job keeps polling)."""
    target = _REPORTED.get(state)
    if target is None or target == current or not may_follow(current, target):
        return None
    return target

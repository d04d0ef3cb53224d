"""A job's life on the platform: its creation and each transition, written with its history entry and
exactly one `JobStatusChanged` in the same transaction, or not at all when another writer got there
first. No I/O but the repository it is handed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fip_core.platform_events import JobStatusChanged
from jobs.adapters.base import ExternalState, ExternalStatus, Step
from jobs.dal.repository import JobsRepository
from jobs.domain import JobRecord, JobStatus, Transition
from jobs.logic import transitions
from jobs.logic.family_status import family_error, family_progress, family_reason, family_status


def event_of(job: JobRecord, previous: JobStatus | None, at: datetime) -> JobStatusChanged:
    """The event of the transition that brought `job` (as it is now) to its status."""
    return JobStatusChanged(
        job_id=job.id,
        user_id=job.user_id,
        job_name=job.name,
        parent_id=job.parent_id,
        service_id=job.service_id or None,  # a multi-service job's parent runs on no one service
        service_name=job.service_name or None,
        previous_status=previous,
        status=job.status,
        revision=job.revision,
        progress=job.progress,
        error=job.error,
        created_at=job.created_at,
        changed_at=at,
    )


def create(repository: JobsRepository, job: JobRecord) -> JobRecord:
    """Store a new job in its first status, with revision 1 in its history and its first event."""
    if job.revision != 1 or job.status is not JobStatus.PENDING:
        raise ValueError("a new job starts pending, at revision 1")
    repository.jobs.add(job)
    repository.jobs.record_transition(job.id, Transition(1, None, job.status, job.created_at, "accepted"))
    repository.add_event(event_of(job, None, job.created_at), job.created_at)
    return job


def transition(
    repository: JobsRepository, job: JobRecord, target: JobStatus, now: datetime, reason: str | None, **changes: Any
) -> JobRecord | None:
    """Move a job read at its version to `target` (a transition the state machine allows, else
    `TransitionRefusedError`), setting `changes` with it. None, and nothing written, if another writer
    changed the job since it was read."""
    transitions.check(job.status, target)
    finished = {"finished_at": now, "next_poll_at": None} if target.finished else {}
    if target is JobStatus.COMPLETED and not job.is_family:  # its result files are copied in from now on
        finished["outputs_due_at"] = now
    changed = repository.jobs.change(job, now, status=target, revision=job.revision + 1, **changes | finished)
    if changed is None:
        return None
    repository.jobs.record_transition(job.id, Transition(changed.revision, job.status, target, now, reason))
    repository.add_event(event_of(changed, job.status, now), now)
    if changed.parent_id is not None:
        settle_family(repository, changed.parent_id, now)
    return changed


def reroute(repository: JobsRepository, job: JobRecord, now: datetime, reason: str, **changes: Any) -> JobRecord | None:
    """Hand a pending job read at its version to another service (`auto` failing over after a refusal):
    still pending, with a history entry pending -> pending saying why and its `JobStatusChanged`, whose
    `pending` invokes the submission again. None, and nothing written, if another writer got there first."""
    if job.status is not JobStatus.PENDING:
        raise transitions.TransitionRefusedError(job.status, JobStatus.PENDING)
    changed = repository.jobs.change(job, now, revision=job.revision + 1, **changes)
    if changed is None:
        return None
    repository.jobs.record_transition(job.id, Transition(changed.revision, job.status, job.status, now, reason))
    repository.add_event(event_of(changed, job.status, now), now)
    return changed


def settle_family(repository: JobsRepository, parent_id: str, now: datetime) -> JobRecord | None:
    """Move a multi-service job to the status its children now give it (`family_status`), in the
    transaction of the child's transition; the parent's row is locked already (`JobRepository.change`),
    so the children read here are the ones every sibling's transaction sees."""
    parent = repository.jobs.get(parent_id)
    if parent is None or parent.status.finished:
        return parent
    children = repository.jobs.children(parent_id)
    target = family_status(parent.status, [child.status for child in children])
    changes: dict[str, Any] = {"progress": family_progress(children)}
    if target is parent.status or not transitions.may_follow(parent.status, target):
        return repository.jobs.change(parent, now, **changes)
    if target is JobStatus.FAILED:
        changes["error"] = family_error(children)
    return transition(repository, parent, target, now, family_reason(children), **changes)


def apply_report(
    repository: JobsRepository,
    job: JobRecord,
    report: ExternalStatus,
    now: datetime,
    *,
    poll_every: timedelta,
    stalled_after: timedelta,
) -> JobRecord | None:
    """Apply what the service reported of a job read at its version: a transition when its state moved
    on, otherwise what else is new (progress, queue position, steps, waiting), and the next poll; a job
    with no news for longer than `stalled_after` is flagged stalled (and still polled). None if another
    writer changed the job since it was read."""
    if job.status.finished:  # a late answer about a finished job: it is not polled again
        return job
    news: dict[str, Any] = {
        "progress": report.progress if report.progress is not None else job.progress,
        "position_in_queue": report.position_in_queue,
        "steps": [_step(step) for step in report.steps] or job.steps,
        "waiting_reason": report.error if report.state is ExternalState.WAITING_FOR_SERVICE else None,
    }
    target = transitions.reported(job.status, report.state)
    if target is JobStatus.FAILED:
        news["error"] = report.error or f"the service reports {report.service_state}"
    moved = target is not None or any(news[name] != getattr(job, name) for name in news)
    timing: dict[str, Any] = {"next_poll_at": now + poll_every}
    if moved:
        timing |= {"last_news_at": now, "stalled": False}
    elif now - job.last_news_at > stalled_after:
        timing |= {"stalled": True}
    if target is None:
        return repository.jobs.change(job, now, **news | timing)
    return transition(repository, job, target, now, f"the service reports {report.service_state}", **news | timing)


def wait(
    repository: JobsRepository,
    job: JobRecord,
    now: datetime,
    why: str,
    *,
    poll_every: timedelta,
    stalled_after: timedelta,
) -> JobRecord | None:
    """Leave a job read at its version as it is, waiting for `why`, asked again after `poll_every`; flagged
    stalled once it has had no news for longer than `stalled_after`. None if another writer changed it."""
    stalled = now - job.last_news_at > stalled_after
    return repository.jobs.change(job, now, next_poll_at=now + poll_every, waiting_reason=why, stalled=stalled)


def _step(step: Step) -> dict[str, Any]:
    return {
        "name": step.name,
        "messages": [
            {"text": m.text, "level": m.level.value, "time": m.time.isoformat() if m.time else None}
            for m in step.messages
        ],
    }

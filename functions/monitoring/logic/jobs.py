"""A job's transitions folded into the aggregates: the rules, pure.

Each job contributes to the aggregates what its current facts say (one to the count of its status in
each of its scopes; one to the outcome of the day it ended, and a bucket of its turnaround and queue
time). An event moves the job to new facts, and the aggregates change by the difference between
what the job contributed before and what it contributes after. So a duplicate changes nothing, a
late event changes only what it adds (a stage's time; never the newer status), and a retried job
that failed and then completes moves from failed to completed rather than counting twice.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime
from typing import Any

from fip_core.platform_events import JobStatusChanged
from monitoring.domain import (
    COUNT_BUCKET,
    OUTCOMES,
    STAGES,
    CountKey,
    DayKey,
    JobFacts,
    Metric,
    Scope,
    Stamp,
)
from monitoring.logic.histogram import DURATION_S

type Contribution = tuple[Counter[CountKey], Counter[DayKey]]


def advance(job: JobFacts | None, event: JobStatusChanged) -> JobFacts:
    """A job's facts once an event is applied: its status only from a newer revision, the time of the
    stage the event reached from the newest transition to that stage."""
    if job is None:
        job = JobFacts(
            job_id=event.job_id,
            user_id=event.user_id,
            parent_id=event.parent_id,
            service_id=event.service_id,
            status=event.status,
            revision=event.revision,
            created_at=event.created_at,
            changed_at=event.changed_at,
        )
    elif event.revision > job.revision:
        job = replace(
            job,
            status=event.status,
            revision=event.revision,
            changed_at=event.changed_at,
            service_id=event.service_id or job.service_id,  # routed on the way; never unrouted
        )
    elif job.service_id is None and event.service_id is not None:
        job = replace(job, service_id=event.service_id)
    stage = "finished" if event.status in OUTCOMES else event.status
    if stage in STAGES:
        current: Stamp | None = getattr(job, stage)
        if current is None or event.revision > current.revision:
            stamped: dict[str, Any] = {stage: Stamp(event.changed_at, event.revision)}
            job = replace(job, **stamped)
    return job


def scopes(job: JobFacts) -> list[tuple[Scope, str]]:
    """Whose figures a job counts in: a job its owner submitted counts for the platform and its owner;
    a job run on a service for that service (a multi-service job's parent runs on none, its parts are
    counted for their services only)."""
    found: list[tuple[Scope, str]] = []
    if job.parent_id is None:
        found += [(Scope.PLATFORM, ""), (Scope.USER, job.user_id)]
    if job.service_id is not None:
        found.append((Scope.SERVICE, job.service_id))
    return found


def contribution(job: JobFacts | None) -> Contribution:
    """What a job adds to the counts by status and to the days' figures."""
    counts: Counter[CountKey] = Counter()
    days: Counter[DayKey] = Counter()
    if job is None:
        return counts, days
    for scope, key in scopes(job):
        counts[(scope, key, job.status)] += 1
        if scope is Scope.SERVICE:
            continue  # days' figures are the platform's and each user's
        finished = job.finished
        if job.status in OUTCOMES and finished is not None:
            day = finished.at.date()
            days[(scope, key, day, Metric(job.status), COUNT_BUCKET)] += 1
            if job.status == "completed":
                turnaround = _seconds(job.created_at, finished.at)
                days[(scope, key, day, Metric.TURNAROUND, DURATION_S.bucket(turnaround))] += 1
        waited = queue_seconds(job)
        if waited is not None and job.running is not None:
            days[(scope, key, job.running.at.date(), Metric.QUEUE, DURATION_S.bucket(waited))] += 1
    return counts, days


def queue_seconds(job: JobFacts) -> float | None:
    """How long a job waited at its service before it ran: from submitted (else queued) to running, of
    the same try (a stage reached before an earlier try ended is not this try's)."""
    running = job.running
    if running is None:
        return None
    finished = job.finished
    earlier_end = finished.revision if finished is not None and finished.revision < running.revision else 0
    for stamp in (job.submitted, job.queued):
        if stamp is not None and earlier_end < stamp.revision < running.revision:
            return _seconds(stamp.at, running.at)
    return None


def difference[K](before: Counter[K], after: Counter[K]) -> dict[K, int]:
    """What to add to the aggregates to go from one contribution to the other (no zero entries)."""
    keys = before.keys() | after.keys()
    return {key: delta for key in keys if (delta := after[key] - before[key]) != 0}


def _seconds(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds())

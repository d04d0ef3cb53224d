"""The status of a job sent to several services, derived from its children's. A pure policy, no I/O.

While any child is unfinished the parent is as far along as its furthest unfinished child (pending <
submitted < queued < running), and never moves back: `running` while any child runs, and still
`running` when one finished and the others wait. Once every child has finished: `completed` if any
child completed (its results are there to download; each child says how it ended), else `failed` if
any failed, else `cancelled`. A researcher reads the outcome of each service in `children`.
"""

from __future__ import annotations

from collections.abc import Sequence

from jobs.domain import JobRecord, JobStatus

_ALONG = (JobStatus.PENDING, JobStatus.SUBMITTED, JobStatus.QUEUED, JobStatus.RUNNING)


def family_status(current: JobStatus, children: Sequence[JobStatus]) -> JobStatus:
    """The status of a parent now `current` (unfinished) for its children's statuses."""
    if not children:
        raise ValueError("a multi-service job has at least one child")
    if all(status.finished for status in children):
        for outcome in (JobStatus.COMPLETED, JobStatus.FAILED):
            if outcome in children:
                return outcome
        return JobStatus.CANCELLED
    furthest: JobStatus = max(current, *(status for status in children if not status.finished), key=_ALONG.index)
    return furthest


def family_progress(children: Sequence[JobRecord]) -> int | None:
    """Percent done of the whole: the mean of the children's, a finished child counting 100."""
    known = [100 if c.status.finished else c.progress for c in children]
    if all(value is None for value in known):
        return None
    return round(sum(value or 0 for value in known) / len(known))


def family_error(children: Sequence[JobRecord]) -> str | None:
    """Why children failed, each named by its service; None when none did."""
    failed = [f"{c.service_name}: {c.error or 'failed'}" for c in children if c.status is JobStatus.FAILED]
    return "; ".join(failed) or None


def family_reason(children: Sequence[JobRecord]) -> str:
    """The history's reason for a parent's transition: how many children stand where."""
    counts: dict[str, int] = {}
    for child in children:
        counts[child.status.value] = counts.get(child.status.value, 0) + 1
    return f"its children: {', '.join(f'{n} {status}' for status, n in sorted(counts.items()))}"

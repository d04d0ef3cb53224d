"""A job's facts and what it contributes to the aggregates, event by event, in any order."""

from datetime import UTC, datetime, timedelta
from itertools import permutations

from fip_core.platform_events import JobStatusChanged
from monitoring.domain import Metric, Scope
from monitoring.logic.jobs import advance, contribution, difference, queue_seconds

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
STEPS = ("pending", "submitted", "queued", "running", "completed")


def event(revision: int, status: str, minute: int, **fields: object) -> JobStatusChanged:
    return JobStatusChanged.model_validate(
        {
            "job_id": "j",
            "user_id": "u",
            "job_name": "n",
            "service_id": "s",
            "previous_status": None,
            "status": status,
            "revision": revision,
            "created_at": T0,
            "changed_at": T0 + timedelta(minutes=minute),
        }
        | fields
    )


LIFE = [event(n + 1, status, minute) for n, (status, minute) in enumerate(zip(STEPS, (0, 1, 2, 10, 70), strict=True))]


def test_every_order_of_the_same_events_ends_in_the_same_facts():
    ends = set()
    for order in permutations(LIFE):
        job = None
        for e in order:
            job = advance(job, e)
        ends.add(job)
    [job] = ends
    assert job is not None
    assert (job.status, job.revision) == ("completed", 5)
    assert queue_seconds(job) == 9 * 60


def test_the_aggregates_move_by_differences_that_add_up_to_the_final_contribution():
    total: dict[tuple[object, ...], int] = {}
    job = None
    for e in reversed(LIFE):
        before = job
        job = advance(job, e)
        for key, delta in difference(contribution(before)[0], contribution(job)[0]).items():
            total[key] = total.get(key, 0) + delta
    assert {key: n for key, n in total.items() if n} == {
        (Scope.PLATFORM, "", "completed"): 1,
        (Scope.USER, "u", "completed"): 1,
        (Scope.SERVICE, "s", "completed"): 1,
    }
    assert job is not None
    days = contribution(job)[1]
    assert days[(Scope.USER, "u", T0.date(), Metric.COMPLETED, -1)] == 1
    assert sum(n for key, n in days.items() if key[3] is Metric.TURNAROUND) == 2  # platform and user


def test_a_duplicate_changes_nothing():
    job = advance(None, LIFE[0])
    assert advance(job, LIFE[0]) == job


def test_a_part_of_a_multi_service_job_counts_for_its_service_only():
    job = advance(None, event(1, "running", 0, parent_id="p"))
    assert set(contribution(job)[0]) == {(Scope.SERVICE, "s", "running")}
    assert not contribution(job)[1]

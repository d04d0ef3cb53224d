"""The jobs dashboards agree with the events fed in, whatever order and however often they come; a user
sees only their own figures, and the platform's are for admins."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest

from monitoring.logic.histogram import DURATION_S
from tests.support.api import invoke_api
from tests.support.monitoring import ADMIN, ALICE, BOB, NOW, deliver, freeze_clock, life, transition

T0 = NOW - timedelta(hours=3)
STATUSES = ("pending", "submitted", "queued", "running", "completed", "failed", "cancelled")


@pytest.fixture(autouse=True)
def monitoring(monitoring_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    freeze_clock(monkeypatch)


def every_event() -> list[dict[str, Any]]:
    return [
        *life("j1", "completed", created=T0, minutes=[0, 1, 2, 10, 70]),  # turnaround 4200 s, queue 540 s
        *life("j2", "failed", created=T0, minutes=[0, 1, 2, 5, 20], error="QC"),  # queue 240 s
        *life("j3", "running", created=T0, minutes=[0, 1, 2, 3, 4])[:4],  # queue 120 s, still running
        *life("j4", "completed", created=T0, minutes=[0, 2, 3, 4, 30], user=BOB),  # turnaround 1800 s, queue 120 s
    ]


def counts(**given: int) -> dict[str, int]:
    return {status: given.get(status, 0) for status in STATUSES}


def middle(seconds: float) -> float:
    return round(DURATION_S.middle(DURATION_S.bucket(seconds)), 3)


def assert_the_figures() -> None:
    alice = invoke_api("GET", "/dashboard", principal=ALICE)
    assert alice.status == 200, alice.body
    body = alice.body
    assert body["by_status"] == counts(completed=1, failed=1, running=1)
    assert body["total"] == 3
    assert body["success_rate"] == 0.5
    assert body["turnaround_seconds"] == {"count": 1, "p50": middle(4200), "p95": middle(4200)}
    assert body["queue_seconds"] == {"count": 2 + 1, "p50": middle(240), "p95": middle(540)}
    assert abs(body["turnaround_seconds"]["p50"] - 4200) / 4200 < 0.1  # within a bucket's width
    assert len(body["series"]) == 30
    assert body["series"][-1] == {"day": NOW.date().isoformat(), "completed": 1, "failed": 1, "cancelled": 0}
    assert all(day["completed"] + day["failed"] + day["cancelled"] == 0 for day in body["series"][:-1])

    bob = invoke_api("GET", "/dashboard", principal=BOB).body
    assert bob["by_status"] == counts(completed=1)
    assert bob["turnaround_seconds"] == {"count": 1, "p50": middle(1800), "p95": middle(1800)}

    platform = invoke_api("GET", "/dashboard/platform", principal=ADMIN)
    assert platform.status == 200, platform.body
    whole = platform.body
    assert whole["by_status"] == counts(completed=2, failed=1, running=1)
    assert whole["success_rate"] == round(2 / 3, 4)
    assert whole["turnaround_seconds"]["count"] == 2
    assert whole["queue_seconds"]["count"] == 4
    assert whole["by_service"] == [
        {"service_id": "svc-1", "service_name": "Michigan", "by_status": whole["by_status"], "total": 4}
    ]
    assert whole["by_user"] == [
        {"user_id": ALICE.user_id, "by_status": counts(completed=1, failed=1, running=1), "total": 3},
        {"user_id": BOB.user_id, "by_status": counts(completed=1), "total": 1},
    ]
    assert whole["users_total"] == 2


def test_the_dashboards_agree_with_the_events_fed_in_order():
    for event in every_event():
        assert deliver(event)["outcome"] == "applied"
    assert_the_figures()


def test_duplicates_and_any_order_change_nothing():
    events = every_event()
    shuffled = events + events[::2]
    random.Random(11).shuffle(shuffled)  # noqa: S311 - a fixed order to test, nothing secret
    outcomes = [deliver(event)["outcome"] for event in [*reversed(events), *shuffled]]
    assert outcomes.count("applied") == len(events)
    assert outcomes.count("duplicate") == len(events) + len(events[::2])
    assert_the_figures()


def test_a_late_running_after_completed_keeps_the_job_completed():
    completed, running = (
        transition("j9", 5, "completed", created=T0, at=NOW),
        transition("j9", 4, "running", created=T0, at=NOW - timedelta(minutes=5)),
    )
    deliver(completed)
    deliver(running)
    assert invoke_api("GET", "/dashboard", principal=ALICE).body["by_status"] == counts(completed=1)


def test_a_retried_job_that_failed_then_completes_counts_once_as_completed():
    for event in life("j5", "failed", created=T0, minutes=[0, 1, 2, 3, 4]):
        deliver(event)
    retried = [
        transition("j5", 6, "pending", created=T0, at=T0 + timedelta(minutes=10)),
        transition("j5", 7, "submitted", created=T0, at=T0 + timedelta(minutes=11)),
        transition("j5", 8, "running", created=T0, at=T0 + timedelta(minutes=13)),
        transition("j5", 9, "completed", created=T0, at=T0 + timedelta(minutes=20)),
    ]
    for event in retried:
        deliver(event)
    body = invoke_api("GET", "/dashboard", principal=ALICE).body
    assert body["by_status"] == counts(completed=1)
    assert body["series"][-1] == {"day": NOW.date().isoformat(), "completed": 1, "failed": 0, "cancelled": 0}
    assert body["turnaround_seconds"] == {"count": 1, "p50": middle(1200), "p95": middle(1200)}
    # its second try waited 2 minutes (submitted at 11, running at 13): the first try's wait is replaced
    assert body["queue_seconds"] == {"count": 1, "p50": middle(120), "p95": middle(120)}


def test_a_multi_service_job_counts_once_for_its_owner_and_each_part_for_its_service():
    deliver(transition("parent", 1, "running", created=T0, at=T0, service_id=None))
    deliver(transition("child-a", 1, "running", created=T0, at=T0, parent_id="parent", service_id="svc-a"))
    deliver(transition("child-b", 1, "completed", created=T0, at=T0, parent_id="parent", service_id="svc-b"))
    assert invoke_api("GET", "/dashboard", principal=ALICE).body["by_status"] == counts(running=1)
    whole = invoke_api("GET", "/dashboard/platform", principal=ADMIN).body
    assert whole["total"] == 1
    assert {s["service_id"]: s["total"] for s in whole["by_service"]} == {"svc-a": 1, "svc-b": 1}


def test_a_user_without_jobs_sees_zeros_and_nobody_elses():
    for event in every_event():
        deliver(event)
    stranger = ALICE.model_copy(update={"user_id": "carol-0004"})
    body = invoke_api("GET", "/dashboard", principal=stranger).body
    assert body["total"] == 0
    assert body["success_rate"] is None
    assert body["turnaround_seconds"] == {"count": 0, "p50": None, "p95": None}


@pytest.mark.parametrize("path", ["/dashboard/platform", "/dashboard/services", "/dashboard/services/at-risk"])
def test_the_admin_dashboards_refuse_researchers(path):
    answer = invoke_api("GET", path, principal=ALICE)
    assert answer.status == 403
    assert "admin" in answer.body["detail"]


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/dashboard", {"days": "0"}),
        ("/dashboard", {"days": "367"}),
        ("/dashboard", {"days": "thirty"}),
        ("/dashboard/platform", {"users": "0"}),
        ("/dashboard/services", {"hours": "169"}),
    ],
)
def test_bad_query_parameters_are_a_problem_naming_them(path, query):
    answer = invoke_api("GET", path, query=query, principal=ADMIN)
    assert answer.status == 422, answer.body
    assert answer.content_type.startswith("application/problem+json")
    assert next(iter(query)) in str(answer.body)

"""A job's owner is told when it is submitted, completes or fails (with the reason), once per event,
and never by a transition older than one already seen: a `running` arriving after `completed` sends
nothing, whatever order the bus delivers them in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from fip_core.platform_events import JobStatusChanged
from local_platform.mailbox import sent_emails
from tests.support.api import invoke_api
from tests.support.notifications import ADDRESSES, ALICE, BOB, add_people, bus_event, deliver

ORIGIN = "https://imputation.example.org"
CREATED = datetime(2026, 12, 1, 20, tzinfo=UTC)
STEPS = ["pending", "submitted", "queued", "running", "completed"]


@pytest.fixture(autouse=True)
def people(notifications_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from notifications.settings import notifications_settings

    monkeypatch.setenv("NOTIFICATIONS_WEB_ORIGIN", ORIGIN)
    notifications_settings.cache_clear()
    add_people()


def transition(revision: int, status: str, job_id: str = "j-1", **fields: Any) -> dict[str, Any]:
    event = JobStatusChanged.model_validate(
        {
            "job_id": job_id,
            "user_id": ALICE.user_id,
            "job_name": "chr20 batch",
            "service_id": "s-1",
            "service_name": "Michigan",
            "status": status,
            "revision": revision,
            "created_at": CREATED,
            "changed_at": CREATED + timedelta(minutes=revision),
        }
        | {"previous_status": STEPS[revision - 2] if revision > 1 else None}
        | fields
    )
    return bus_event(event, "jobs")


def subjects() -> list[str]:
    return [mail["subject"] for mail in sent_emails()]


def test_submitted_and_completed_are_told_once_each_the_steps_between_are_not(event_bus):
    for revision, status in enumerate(STEPS, start=1):
        assert deliver(transition(revision, status))["outcome"] == "applied"
    assert subjects() == [
        "Job \u201cchr20 batch\u201d was submitted",
        "Job \u201cchr20 batch\u201d completed",
    ]
    completed = sent_emails()[1]
    assert completed["to"] == [ADDRESSES[ALICE.user_id]]
    assert "Your imputation job \u201cchr20 batch\u201d on Michigan completed." in completed["text"]
    assert f"{ORIGIN}/#/jobs/j-1" in completed["text"]
    shown = invoke_api("GET", "/notifications", principal=ALICE).body["items"]
    assert [n["kind"] for n in shown] == ["job_completed", "job_submitted"]
    assert invoke_api("GET", "/notifications", principal=BOB).body["total"] == 0


def test_a_running_arriving_after_completed_sends_nothing(event_bus):
    late = transition(4, "running")
    deliver(transition(5, "completed"))
    assert deliver(late)["outcome"] == "applied"  # recorded as seen, and nothing told
    deliver(transition(2, "submitted"))  # older still
    assert subjects() == ["Job \u201cchr20 batch\u201d completed"]
    assert invoke_api("GET", "/notifications/unread-count", principal=ALICE).body == {"unread": 1}


def test_a_completed_delivered_twice_and_out_of_order_is_one_email_and_one_notification(event_bus):
    completed = transition(5, "completed")
    for event in (completed, transition(4, "running"), completed, transition(3, "queued"), completed):
        deliver(event)
    assert subjects() == ["Job \u201cchr20 batch\u201d completed"]
    assert invoke_api("GET", "/notifications", principal=ALICE).body["total"] == 1


def test_a_failure_carries_its_reason_and_escapes_it_in_html(event_bus):
    deliver(transition(4, "failed", error="QC failed: <10 samples"))
    [mail] = sent_emails()
    assert mail["subject"] == "Job \u201cchr20 batch\u201d failed"
    assert "Reason: QC failed: <10 samples" in mail["text"]
    assert "Reason: QC failed: &lt;10 samples" in mail["html"]


def test_cancelled_jobs_and_the_parts_of_a_multi_service_job_send_nothing(event_bus):
    deliver(transition(2, "cancelled"))
    deliver(transition(5, "completed", job_id="j-child", parent_id="j-parent"))
    assert sent_emails() == []
    assert invoke_api("GET", "/notifications", principal=ALICE).body["total"] == 0


def test_the_owners_preference_for_job_messages_is_honoured(event_bus):
    answer = invoke_api("PUT", "/notifications/preferences", body={"job_completed": "none"}, principal=ALICE)
    assert answer.status == 200
    deliver(transition(2, "submitted"))
    deliver(transition(5, "completed"))
    assert subjects() == ["Job \u201cchr20 batch\u201d was submitted"]
    assert [n["kind"] for n in invoke_api("GET", "/notifications", principal=ALICE).body["items"]] == ["job_submitted"]

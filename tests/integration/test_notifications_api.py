"""The in-app notifications API: the caller's own notifications, paged and filtered, read, cleared;
preferences with their defaults; another user's notification is never seen or changed; bad input is
a 4xx problem naming the field."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from fip_core.access import Principal
from fip_core.platform_events import FileExpiring
from tests.support.api import ApiAnswer, invoke_api
from tests.support.notifications import ALICE, BOB, add_people, bus_event, deliver


@pytest.fixture(autouse=True)
def alice_has_three(notifications_db: str) -> None:
    add_people()
    invoke_api("PUT", "/notifications/preferences", body={"file_expiring": "in_app"}, principal=ALICE)
    for number in range(3):
        event = FileExpiring(
            file_id=f"f-{number}",
            user_id=ALICE.user_id,
            filename=f"file-{number}.vcf.gz",
            kind="input",
            expires_at=datetime(2026, 12, 3, tzinfo=UTC),
        )
        assert deliver(bus_event(event, "files"))["outcome"] == "applied"


def call(method: str, path: str, caller: Principal, **kwargs: Any) -> ApiAnswer:
    return invoke_api(method, path, principal=caller, **kwargs)


def test_the_list_is_newest_first_paged_and_filtered_by_unread():
    page = call("GET", "/notifications", ALICE, query={"limit": "2"}).body
    assert page["total"] == 3
    assert (page["limit"], page["offset"]) == (2, 0)
    assert [n["title"] for n in page["items"]] == [
        "Your file \u201cfile-2.vcf.gz\u201d will be deleted soon",
        "Your file \u201cfile-1.vcf.gz\u201d will be deleted soon",
    ]
    rest = call("GET", "/notifications", ALICE, query={"limit": "2", "offset": "2"}).body
    assert [n["link"].rsplit("/", 1)[1] for n in rest["items"]] == ["f-0"]

    first = page["items"][0]["id"]
    read = call("POST", f"/notifications/{first}/read", ALICE)
    assert read.status == 200, read.body
    assert read.body["read_at"] is not None
    again = call("POST", f"/notifications/{first}/read", ALICE).body
    assert again["read_at"] == read.body["read_at"]  # the first reading is kept
    unread = call("GET", "/notifications", ALICE, query={"unread": "true"}).body
    assert unread["total"] == 2
    assert first not in [n["id"] for n in unread["items"]]
    assert call("GET", "/notifications/unread-count", ALICE).body == {"unread": 2}


def test_mark_all_read_and_delete_touch_only_the_callers_own():
    own = call("GET", "/notifications", ALICE).body["items"]
    assert call("POST", "/notifications/read-all", BOB).body == {"marked": 0}
    assert call("GET", "/notifications/unread-count", ALICE).body == {"unread": 3}
    assert call("POST", "/notifications/read-all", ALICE).body == {"marked": 3}
    assert call("GET", "/notifications/unread-count", ALICE).body == {"unread": 0}

    deleted = call("DELETE", f"/notifications/{own[0]['id']}", ALICE)
    assert deleted.status == 204
    assert call("GET", "/notifications", ALICE).body["total"] == 2
    assert call("DELETE", f"/notifications/{own[0]['id']}", ALICE).status == 404


def test_another_users_notification_is_not_found_for_them():
    theirs = call("GET", "/notifications", ALICE).body["items"][0]["id"]
    assert call("GET", "/notifications", BOB).body == {"items": [], "total": 0, "limit": 50, "offset": 0}
    for method, path in [("POST", f"/notifications/{theirs}/read"), ("DELETE", f"/notifications/{theirs}")]:
        answer = call(method, path, BOB)
        assert answer.status == 404, answer.body
        assert answer.content_type.startswith("application/problem+json")
    assert call("GET", "/notifications/unread-count", ALICE).body == {"unread": 3}


def test_preferences_have_defaults_and_put_resets_what_it_leaves_out():
    assert call("GET", "/notifications/preferences", BOB).body == {
        "job_submitted": "both",
        "job_completed": "both",
        "job_failed": "both",
        "file_expiring": "both",
        "service_health": "both",
        "service_at_risk": "both",
        "service_deactivated": "both",
        "welcome": "in_app",
    }
    assert call("GET", "/notifications/preferences", ALICE).body["file_expiring"] == "in_app"
    changed = call("PUT", "/notifications/preferences", ALICE, body={"job_failed": "email"}).body
    assert (changed["job_failed"], changed["file_expiring"]) == ("email", "both")
    assert call("GET", "/notifications/preferences", BOB).body["job_failed"] == "both"


@pytest.mark.parametrize(
    ("method", "path", "body", "query", "field"),
    [
        ("PUT", "/notifications/preferences", {"job_failed": "sms"}, None, "job_failed"),
        ("PUT", "/notifications/preferences", {"jobs": "email"}, None, "jobs"),
        ("GET", "/notifications", None, {"limit": "0"}, "limit"),
        ("GET", "/notifications", None, {"unread": "maybe"}, "unread"),
        ("POST", "/notifications/not-a-uuid/read", None, None, "notification_id"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(method, path, body, query, field):
    answer = call(method, path, ALICE, body=body, query=query)
    assert answer.status == 422, answer.body
    assert field in str(answer.body["errors"])


def test_nobody_signed_in_gets_nothing():
    answer = invoke_api("GET", "/notifications", principal=None)
    assert answer.status in (401, 403)

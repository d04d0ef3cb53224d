"""The audit log keeps every sign-in and admin action of every domain, once however often delivered,
and finds them by actor, action, domain and moment, a page at a time; the user list pages too."""

from datetime import UTC, datetime, timedelta

import pytest

from fip_core.access import Role
from local_platform.events import eventbridge_event, lambda_context
from tests.support.accounts import grant, sign_up
from tests.support.api import invoke_api
from users.handlers import audit_recorder

pytestmark = pytest.mark.usefixtures("platform")
SERVICE = {"name": "Audited", "slug": "audited", "api_type": "ga4gh_wes", "base_url": "https://wes.example.org"}


def deliver_audit_events(platform):
    """What the EventBridge rule does in the cloud: hand each AuditRecorded event to the recorder."""
    delivered = 0
    for event in platform.captured_events():
        if event["detail-type"] == "AuditRecorded":
            again = eventbridge_event(event["detail-type"], event["detail"], event["source"])
            for _ in range(2):  # delivered twice, kept once
                audit_recorder.handler(again, lambda_context("users-audit-recorder"))
            delivered += 1
    return delivered


def test_sign_ins_and_admin_actions_of_every_domain_are_audited(platform):
    account = sign_up()
    invoke_api(
        "POST",
        "/auth/sign-in",
        body={"email": account.email, "password": "Not-my-password-1"},
        principal=None,
        headers={},
    )
    service = invoke_api("POST", "/services", body=SERVICE).body["id"]
    invoke_api("PATCH", f"/services/{service}", body={"description": "audited"})
    grant(account, Role.VIEWER)
    assert deliver_audit_events(platform) == 2
    entries = invoke_api("GET", "/audit-log").body["items"]
    actions = [(e["domain"], e["action"], e["outcome"]) for e in entries]
    for expected in [
        ("users", "sign_up", "success"),
        ("users", "sign_in", "success"),
        ("users", "sign_in", "failure"),
        ("registry", "service_created", "success"),
        ("registry", "service_changed", "success"),
        ("users", "role_granted", "success"),
    ]:
        assert expected in actions, actions
    assert actions.count(("registry", "service_created", "success")) == 1
    created = next(e for e in entries if e["action"] == "service_created")
    assert created["actor_id"] == "test-admin"
    assert created["target_id"] == service
    assert created["source_ip"] == "127.0.0.1"
    failed = next(e for e in entries if e["action"] == "sign_in" and e["outcome"] == "failure")
    assert failed["actor_id"] == account.user_id
    only_mine = invoke_api("GET", "/audit-log", query={"actor_id": account.user_id, "action": "sign_in"}).body
    assert only_mine["total"] == 2
    assert invoke_api("GET", "/audit-log", token=account.access_token).status == 403


def audit(**query):
    answer = invoke_api("GET", "/audit-log", query={key: str(value) for key, value in query.items()})
    assert answer.status == 200, answer.body
    return answer.body


def test_the_audit_log_filters_and_pages(platform):
    started = datetime.now(UTC)
    people = [sign_up() for _ in range(3)]
    invoke_api("POST", "/services", body=SERVICE)
    deliver_audit_events(platform)
    everything = audit(limit=500)
    assert everything["total"] == len(everything["items"]) >= 7  # 3 sign-ups, 3 sign-ins, 3 confirmations, ...
    moments = [entry["at"] for entry in everything["items"]]
    assert moments == sorted(moments, reverse=True)  # newest first

    first, rest = audit(limit=2), audit(limit=500, offset=2)
    assert (first["total"], first["limit"], first["offset"]) == (everything["total"], 2, 0)
    assert [e["id"] for e in first["items"] + rest["items"]] == [e["id"] for e in everything["items"]]
    assert audit(offset=everything["total"])["items"] == []

    mine = audit(actor_id=people[0].user_id)
    assert mine["total"] >= 1
    assert {entry["actor_id"] for entry in mine["items"]} == {people[0].user_id}
    sign_ins = audit(action="sign_in")
    assert {entry["action"] for entry in sign_ins["items"]} == {"sign_in"}
    assert sign_ins["total"] == 3
    assert {entry["domain"] for entry in audit(domain="registry")["items"]} == {"registry"}
    assert audit(domain="registry", action="sign_in")["total"] == 0

    assert audit(since=(started - timedelta(seconds=1)).isoformat())["total"] == everything["total"]
    assert audit(since=(datetime.now(UTC) + timedelta(hours=1)).isoformat())["total"] == 0
    naive = (datetime.now(UTC) + timedelta(hours=1)).replace(tzinfo=None).isoformat()
    for bad in ({"limit": "0"}, {"limit": "501"}, {"offset": "-1"}, {"since": "yesterday"}, {"since": naive}):
        assert invoke_api("GET", "/audit-log", query=bad).status == 422, bad


def test_the_user_list_pages_by_email_and_searches():
    emails = sorted(f"paged-{n}@example.org" for n in "cab")
    for email in emails:
        sign_up(email, name=f"Person {email[6]}", institution="Paging Institute")
    page = invoke_api("GET", "/users", query={"q": "paged-", "limit": "2"}).body
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 0)
    assert [user["email"] for user in page["items"]] == emails[:2]
    rest = invoke_api("GET", "/users", query={"q": "paged-", "limit": "2", "offset": "2"}).body
    assert [user["email"] for user in rest["items"]] == emails[2:]
    by_institution = invoke_api("GET", "/users", query={"q": "paging inst"}).body
    assert by_institution["total"] == 3
    assert invoke_api("GET", "/users", query={"q": "%"}).body["total"] >= 3  # wildcards are literal, not patterns
    assert invoke_api("GET", "/users", query={"q": "nobody-at-all"}).body == {
        "items": [], "total": 0, "limit": 50, "offset": 0,
    }  # fmt: skip
    for bad in ({"limit": "0"}, {"limit": "501"}, {"offset": "-1"}, {"q": "x" * 201}):
        assert invoke_api("GET", "/users", query=bad).status == 422, bad


def test_the_roles_on_the_list_are_those_in_force():
    account = sign_up("roles-listed@example.org")
    grant(account, Role.VIEWER)
    listed = invoke_api("GET", "/users", query={"q": "roles-listed"}).body["items"][0]
    assert sorted(r["role"] for r in listed["roles"]) == ["researcher", "viewer"]

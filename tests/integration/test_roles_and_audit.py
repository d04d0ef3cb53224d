"""Roles granted and revoked by admins, scoped to a service and expiring; the first admin; and the
audit log that keeps every sign-in and admin action, of every domain."""

from datetime import UTC, datetime, timedelta

import pytest

from fip_core.access import Role
from local_platform.events import eventbridge_event, lambda_context
from tests.support.accounts import grant, sign_up
from tests.support.api import invoke_api
from users.dal.tables import RoleGrantRow
from users.dal.unit_of_work import users_repository
from users.handlers import audit_recorder, bootstrap

pytestmark = pytest.mark.usefixtures("platform")
MICHIGAN = {
    "name": "Michigan",
    "slug": "michigan",
    "api_type": "michigan",
    "base_url": "https://imputationserver.sph.umich.edu",
}
TOPMED = {
    "name": "TOPMed",
    "slug": "topmed",
    "api_type": "michigan",
    "base_url": "https://imputation.biodatacatalyst.nhlbi.nih.gov",
}


def groups_of(platform, email):
    cognito = platform.client("cognito-idp")
    pool_id = next(p["Id"] for p in cognito.list_user_pools(MaxResults=10)["UserPools"])
    return sorted(
        g["GroupName"] for g in cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username=email)["Groups"]
    )


def test_a_service_admin_manages_their_service_only(platform):
    michigan = invoke_api("POST", "/services", body=MICHIGAN).body["id"]
    topmed = invoke_api("POST", "/services", body=TOPMED).body["id"]
    curator = sign_up()
    assert (
        invoke_api("PATCH", f"/services/{michigan}", body={"description": "x"}, token=curator.access_token).status
        == 403
    )
    grant(curator, Role.SERVICE_ADMIN, service_id=michigan)
    assert (
        invoke_api("PATCH", f"/services/{michigan}", body={"description": "curated"}, token=curator.access_token).status
        == 200
    )
    panel = {"slug": "apps@hrc-r1.1", "display_name": "HRC", "build": "hg19"}
    assert invoke_api("POST", f"/services/{michigan}/panels", body=panel, token=curator.access_token).status == 201
    refused = invoke_api("PATCH", f"/services/{topmed}", body={"description": "x"}, token=curator.access_token)
    assert refused.status == 403
    assert topmed in refused.body["detail"]
    assert (
        invoke_api("DELETE", f"/services/{michigan}", token=curator.access_token).status == 403
    )  # deleting is for admins
    assert invoke_api("POST", "/services", body={**TOPMED, "slug": "other"}, token=curator.access_token).status == 403
    assert groups_of(platform, curator.email) == ["researcher"]  # a scoped role is no pool group


def test_an_expired_grant_stops_working(platform):
    service = invoke_api("POST", "/services", body=MICHIGAN).body["id"]
    curator = sign_up()
    granted = grant(
        curator, Role.SERVICE_ADMIN, service_id=service, expires_at=(datetime.now(UTC) + timedelta(hours=1)).isoformat()
    )
    assert (
        invoke_api("PATCH", f"/services/{service}", body={"description": "a"}, token=curator.access_token).status == 200
    )
    with users_repository() as repo:
        row = repo.session.get(RoleGrantRow, granted["id"])
        assert row is not None
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    assert (
        invoke_api("PATCH", f"/services/{service}", body={"description": "b"}, token=curator.access_token).status == 403
    )
    past = invoke_api(
        "POST", f"/users/{curator.user_id}/roles", body={"role": "viewer", "expires_at": "2020-01-01T00:00:00Z"}
    )
    assert past.status == 422


def test_unscoped_roles_are_mirrored_as_pool_groups_and_revoked(platform):
    account = sign_up()
    admin_grant = grant(account, Role.ADMIN)
    assert groups_of(platform, account.email) == ["admin", "researcher"]
    assert invoke_api("GET", "/users", token=account.access_token).status == 200
    revoked = invoke_api("DELETE", f"/users/{account.user_id}/roles/{admin_grant['id']}")
    assert revoked.status == 200
    assert revoked.body["revoked_at"] is not None
    assert groups_of(platform, account.email) == ["researcher"]
    assert invoke_api("GET", "/users", token=account.access_token).status == 403
    history = invoke_api("GET", f"/users/{account.user_id}/roles").body["items"]
    assert sorted(g["role"] for g in history) == ["admin", "researcher"]  # revoked grants stay on record


def test_only_admins_grant_roles():
    researcher, target = sign_up(), sign_up()
    answer = invoke_api("POST", f"/users/{target.user_id}/roles", body={"role": "admin"}, token=researcher.access_token)
    assert answer.status == 403
    assert invoke_api("POST", "/users/no-such-user/roles", body={"role": "viewer"}).status == 404


def test_the_first_admin_is_bootstrapped_once(platform):
    first = bootstrap.handler(
        {"email": "root@example.org", "password": "Bootstrap-pass-1"}, lambda_context("bootstrap")
    )
    assert "user_id" in first, first
    again = bootstrap.handler(
        {"email": "second@example.org", "password": "Bootstrap-pass-1"}, lambda_context("bootstrap")
    )
    assert again["error"] == "refused"
    assert "an admin exists already" in again["detail"]
    assert bootstrap.handler({"email": "not-an-email"}, lambda_context("bootstrap"))["error"] == "invalid_request"
    tokens = invoke_api(
        "POST", "/auth/sign-in", body={"email": "root@example.org", "password": "Bootstrap-pass-1"}, principal=None
    )
    assert invoke_api("GET", "/users", token=tokens.body["access_token"]).status == 200
    assert groups_of(platform, "root@example.org") == ["admin"]


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
    service = invoke_api("POST", "/services", body=MICHIGAN).body["id"]
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

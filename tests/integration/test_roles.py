"""Roles granted and revoked by admins, scoped to a service and expiring, never by a personal API
token; the platform never loses its last admin; the first admin."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from fip_core.access import Role
from local_platform.events import lambda_context
from tests.support.accounts import enrol_totp, grant, sign_in, sign_up
from tests.support.api import invoke_api
from users.dal.tables import RoleGrantRow
from users.dal.unit_of_work import users_repository
from users.handlers import bootstrap

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
    account, other_admin = sign_up(), sign_up()
    admin_grant = grant(account, Role.ADMIN)
    grant(other_admin, Role.ADMIN)
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
    root = sign_in("root@example.org", "Bootstrap-pass-1")
    held_back = invoke_api("GET", "/users", token=root.access_token)
    assert held_back.status == 403  # the admin role waits for two-factor sign-in
    assert "/me/mfa/totp" in held_back.body["detail"]
    enrol_totp(root)
    assert invoke_api("GET", "/users", token=root.access_token).status == 200
    assert groups_of(platform, "root@example.org") == ["admin"]
    assert invoke_api("POST", "/auth/sign-in", body={"email": root.email, "password": "Bootstrap-pass-1"},
                      principal=None).status == 202  # fmt: skip


def test_revoking_another_users_grant_is_not_found_and_revoking_twice_changes_nothing():
    owner, other = sign_up(), sign_up()
    researcher = invoke_api("GET", f"/users/{owner.user_id}/roles").body["items"][0]
    assert invoke_api("DELETE", f"/users/{other.user_id}/roles/{researcher['id']}").status == 404
    first = invoke_api("DELETE", f"/users/{owner.user_id}/roles/{researcher['id']}")
    second = invoke_api("DELETE", f"/users/{owner.user_id}/roles/{researcher['id']}")
    assert first.status == second.status == 200
    assert first.body == second.body  # the moment of the first revocation stays
    revocations = invoke_api("GET", "/audit-log", query={"action": "role_revoked"}).body
    assert revocations["total"] == 1


def test_the_platform_keeps_its_last_admin():
    only = sign_up()
    mine = grant(only, Role.ADMIN)
    refused = invoke_api("DELETE", f"/users/{only.user_id}/roles/{mine['id']}", token=only.access_token)
    assert refused.status == 409
    assert "without an active admin" in refused.body["detail"]
    scoped = grant(only, Role.ADMIN, service_id=str(uuid.uuid4()))  # a role for one service is no stand-in
    assert invoke_api("DELETE", f"/users/{only.user_id}/roles/{mine['id']}").status == 409
    assert invoke_api("DELETE", f"/users/{only.user_id}/roles/{scoped['id']}").status == 200
    successor = sign_up()
    grant(successor, Role.ADMIN)
    handed_over = invoke_api("DELETE", f"/users/{only.user_id}/roles/{mine['id']}", token=only.access_token)
    assert handed_over.status == 200, handed_over.body
    assert invoke_api("GET", "/users", token=only.access_token).status == 403


def test_a_personal_api_token_cannot_hand_out_roles_or_make_tokens():
    admin, target = sign_up(), sign_up()
    grant(admin, Role.ADMIN)
    api_token = invoke_api("POST", "/me/api-tokens", body={"name": "p"}, token=admin.access_token).body["token"]
    assert invoke_api("GET", "/users", token=api_token).status == 200  # reading is fine
    refusals = [
        invoke_api("POST", f"/users/{target.user_id}/roles", body={"role": "viewer"}, token=api_token),
        invoke_api("DELETE", f"/users/{target.user_id}/roles/{uuid.uuid4()}", token=api_token),
        invoke_api("POST", "/me/api-tokens", body={"name": "more"}, token=api_token),
    ]
    for refused in refusals:
        assert refused.status == 403, refused.body
        assert "signed-in session" in refused.body["detail"]
    assert [t["name"] for t in invoke_api("GET", "/me/api-tokens", token=api_token).body["items"]] == ["p"]

"""Admins disable an account and enable it again, in Cognito and the profile together, whichever
side fails; a disabled account's tokens and API tokens stop working at the authorizer."""

import pytest

from fip_core.access import Role
from tests.support.accounts import PASSWORD, grant, sign_in, sign_up
from tests.support.api import authorize, invoke_api
from tests.support.stores import FailingWrites
from tests.support.tokens import access_token_issued_earlier
from users.handlers.routes import common as users_routes
from users.settings import users_settings

pytestmark = pytest.mark.usefixtures("platform")
DISABLE, ENABLE = {"status": "disabled", "reason": "left the consortium"}, {"status": "active"}


def set_status(user_id, body, **caller):
    return invoke_api("PUT", f"/users/{user_id}/status", body=body, **caller)


def cognito_enabled(cognito, email):
    return cognito.moto.admin_get_user(UserPoolId=users_settings().user_pool_id, Username=email)["Enabled"]


def test_a_disabled_account_is_refused_everywhere_and_enabled_again(cognito):
    account = sign_up()
    api_token = invoke_api("POST", "/me/api-tokens", body={"name": "p"}, token=account.access_token).body["token"]
    earlier = access_token_issued_earlier(account.user_id)
    disabled = set_status(account.user_id, DISABLE)
    assert disabled.status == 200, disabled.body
    assert disabled.body["status"] == "disabled"
    assert not cognito_enabled(cognito, account.email)
    for token in (account.access_token, account.id_token, api_token):
        assert authorize(token) == {"isAuthorized": False}
    assert invoke_api("GET", "/me", token=api_token).status == 403
    signing_in = invoke_api(
        "POST", "/auth/sign-in", body={"email": account.email, "password": PASSWORD}, principal=None
    )
    assert signing_in.status == 401
    refreshing = invoke_api("POST", "/auth/refresh", body={"refresh_token": account.refresh_token}, principal=None)
    assert refreshing.status == 401

    enabled = set_status(account.user_id, ENABLE)
    assert (enabled.status, enabled.body["status"]) == (200, "active")
    assert cognito_enabled(cognito, account.email)
    assert authorize(api_token)["isAuthorized"] is True  # suspended, not revoked
    assert authorize(earlier) == {"isAuthorized": False}  # the sessions of before stay ended
    assert invoke_api("GET", "/me", token=sign_in(account.email, PASSWORD).access_token).status == 200
    actions = [e["action"] for e in invoke_api("GET", "/audit-log", query={"domain": "users"}).body["items"]]
    assert actions.count("account_disabled") == actions.count("account_enabled") == 1
    disabling = invoke_api("GET", "/audit-log", query={"action": "account_disabled"}).body["items"][0]
    assert (disabling["target_id"], disabling["details"]["reason"]) == (account.user_id, "left the consortium")


def test_only_a_signed_in_admin_changes_an_account(cognito):
    admin, target = sign_up(), sign_up()
    grant(admin, Role.ADMIN)
    api_token = invoke_api("POST", "/me/api-tokens", body={"name": "p"}, token=admin.access_token).body["token"]
    by_token = set_status(target.user_id, DISABLE, token=api_token)
    assert by_token.status == 403
    assert "signed-in session" in by_token.body["detail"]
    assert set_status(target.user_id, DISABLE, token=target.access_token).status == 403
    assert set_status("no-such-user", DISABLE).status == 404
    assert set_status(target.user_id, {"status": "unconfirmed"}).status == 422
    assert set_status(target.user_id, DISABLE, token=admin.access_token).status == 200


def test_an_admin_cannot_disable_themselves_or_the_last_admin():
    first = sign_up()
    grant(first, Role.ADMIN)
    itself = set_status(first.user_id, DISABLE, token=first.access_token)
    assert itself.status == 409
    last = set_status(first.user_id, DISABLE)  # by another admin's session, who holds no grant here
    assert last.status == 409
    assert "without an active admin" in last.body["detail"]
    second = sign_up()
    grant(second, Role.ADMIN)
    assert set_status(first.user_id, DISABLE, token=second.access_token).status == 200
    assert set_status(second.user_id, DISABLE).status == 409  # now the last active one


def test_when_the_database_fails_cognito_is_put_back(cognito, monkeypatch):
    account, store = sign_up(), users_routes.STORE
    monkeypatch.setattr(users_routes, "STORE", FailingWrites(store))
    failed = set_status(account.user_id, DISABLE)
    assert failed.status == 503
    assert "nothing was" in failed.body["detail"]
    assert cognito_enabled(cognito, account.email)  # compensated
    assert authorize(account.access_token)["isAuthorized"] is True
    assert set_status(account.user_id, DISABLE).status == 200  # trying again converges
    monkeypatch.setattr(users_routes, "STORE", FailingWrites(store))
    assert set_status(account.user_id, ENABLE).status == 503
    assert not cognito_enabled(cognito, account.email)  # put back: disabled, as the profile says


def test_when_cognito_fails_nothing_changes(cognito):
    account = sign_up()
    cognito.fail_next("admin_disable_user", None)
    unreachable = set_status(account.user_id, DISABLE)
    assert unreachable.status == 503
    assert invoke_api("GET", f"/users/{account.user_id}").body["status"] == "active"
    cognito.fail_next("admin_disable_user", "TooManyRequestsException")
    assert set_status(account.user_id, DISABLE).status == 429
    assert authorize(account.access_token)["isAuthorized"] is True
    assert cognito_enabled(cognito, account.email)

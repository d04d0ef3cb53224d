"""Two-factor sign-in with an authenticator app (Cognito software tokens, RFC 6238 codes), enrolled
through /me/mfa and answered through /auth/sign-in/mfa; admins and service admins must use it."""

import pytest

from fip_core.access import Role
from tests.support.accounts import PASSWORD, enrol_totp, grant, sign_in, sign_up
from tests.support.api import invoke_api
from tests.support.cognito import totp
from users.settings import users_settings

pytestmark = pytest.mark.usefixtures("platform")


def post(path, body, **caller):
    return invoke_api("POST", path, body=body, **({"principal": None} | caller))


def test_an_authenticator_app_is_enrolled_with_a_code_computed_from_its_secret(cognito):
    account = sign_up()
    before = invoke_api("GET", "/me/mfa", token=account.access_token)
    assert (before.status, before.body["totp_enabled"], before.body["required"]) == (200, False, False)
    started = post("/me/mfa/totp", None, token=account.access_token)
    assert started.status == 200, started.body
    secret = started.body["secret"]
    assert len(secret) == 32
    assert started.body["otpauth_uri"].startswith("otpauth://totp/")
    assert f"secret={secret}" in started.body["otpauth_uri"]
    wrong = "000000" if totp(secret, cognito.now()) != "000000" else "111111"
    for code in (wrong, totp(secret, cognito.now() - 120)):  # a wrong code, and one two minutes old
        refused = post("/me/mfa/totp/verify", {"code": code}, token=account.access_token)
        assert refused.status == 422, refused.body
        assert "Code mismatch" not in refused.body["detail"]  # a fixed message, not Cognito's
    verified = post("/me/mfa/totp/verify", {"code": totp(secret, cognito.now())}, token=account.access_token)
    assert verified.status == 200, verified.body
    assert invoke_api("GET", "/me/mfa", token=account.access_token).body["totp_enabled"] is True
    entries = invoke_api("GET", "/audit-log", query={"actor_id": account.user_id, "action": "mfa_enabled"}).body
    assert entries["total"] == 1


def test_enrolling_needs_a_signed_in_session_not_an_api_token():
    account = sign_up()
    api_token = post("/me/api-tokens", {"name": "t"}, token=account.access_token).body["token"]
    for path, body in (("/me/mfa/totp", None), ("/me/mfa/totp/verify", {"code": "123456"})):
        refused = post(path, body, token=api_token)
        assert refused.status == 403
        assert "signed-in session" in refused.body["detail"]
    assert invoke_api("DELETE", "/me/mfa", token=api_token).status == 403


def test_sign_in_asks_for_the_code_and_refuses_a_wrong_or_late_one(cognito):
    account = sign_up()
    enrol_totp(account)
    first = post("/auth/sign-in", {"email": account.email, "password": PASSWORD})
    assert first.status == 202, first.body
    assert first.body["challenge"] == "SOFTWARE_TOKEN_MFA"
    assert "access_token" not in first.body
    step = {"email": account.email, "session": first.body["session"]}
    wrong = "000000" if cognito.totp_code(account.email) != "000000" else "111111"
    refused = post("/auth/sign-in/mfa", {**step, "code": wrong})
    assert refused.status == 401
    assert "code is wrong" in refused.body["detail"]
    signed_in = post("/auth/sign-in/mfa", {**step, "code": cognito.totp_code(account.email)})
    assert signed_in.status == 200, signed_in.body
    assert invoke_api("GET", "/me", token=signed_in.body["access_token"]).status == 200
    assert post("/auth/sign-in/mfa", {**step, "code": cognito.totp_code(account.email)}).status == 401  # used

    late = post("/auth/sign-in", {"email": account.email, "password": PASSWORD}).body
    cognito.advance(181)  # the sign-in's session lasts 3 minutes
    expired = post("/auth/sign-in/mfa", {"email": account.email, "session": late["session"],
                                         "code": cognito.totp_code(account.email)})  # fmt: skip
    assert expired.status == 401
    assert "expired" in expired.body["detail"]
    failures = invoke_api("GET", "/audit-log", query={"actor_id": account.user_id, "action": "sign_in"}).body["items"]
    assert {(e["outcome"], e["details"].get("step")) for e in failures} >= {
        ("failure", "SOFTWARE_TOKEN_MFA"),
        ("success", "SOFTWARE_TOKEN_MFA"),
    }


def test_a_sign_in_session_serves_only_the_account_that_started_it(cognito):
    owner, other = sign_up(), sign_up()
    enrol_totp(owner)
    enrol_totp(other)
    session = post("/auth/sign-in", {"email": owner.email, "password": PASSWORD}).body["session"]
    stolen = post(
        "/auth/sign-in/mfa", {"email": other.email, "session": session, "code": cognito.totp_code(other.email)}
    )
    assert stolen.status == 401


def test_privileged_roles_go_only_to_accounts_with_two_factor_sign_in():
    target = sign_up()
    for role in (Role.ADMIN, Role.SERVICE_ADMIN):
        refused = invoke_api("POST", f"/users/{target.user_id}/roles", body={"role": role.value})
        assert refused.status == 409, refused.body
        assert "/me/mfa/totp" in refused.body["detail"]
        assert role.value in refused.body["detail"]
    assert invoke_api("POST", f"/users/{target.user_id}/roles", body={"role": "viewer"}).status == 201
    enrol_totp(target)
    assert invoke_api("POST", f"/users/{target.user_id}/roles", body={"role": "admin"}).status == 201
    assert invoke_api("GET", "/users", token=target.access_token).status == 200


def test_roles_are_held_back_when_the_second_factor_is_turned_off_behind_the_platforms_back(cognito):
    admin = sign_up()
    grant(admin, Role.ADMIN)
    assert invoke_api("GET", "/users", token=admin.access_token).status == 200
    # what anyone holding the access token can do at Cognito itself, bypassing DELETE /me/mfa
    cognito.moto.set_user_mfa_preference(
        AccessToken=admin.access_token, SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False}
    )
    refused = invoke_api("GET", "/users", token=admin.access_token)
    assert refused.status == 403
    assert "authenticator app" in refused.body["detail"]
    assert invoke_api("GET", "/me", token=admin.access_token).status == 200  # still a signed-in user


def test_roles_are_held_back_while_cognito_cannot_say(cognito):
    admin = sign_up()
    grant(admin, Role.ADMIN)
    cognito.fail_next("admin_get_user", None)
    refused = invoke_api("GET", "/users", token=admin.access_token)
    assert refused.status == 403
    assert "could not be checked" in refused.body["detail"]
    assert invoke_api("GET", "/users", token=admin.access_token).status == 200


def test_two_factor_sign_in_cannot_be_turned_off_while_a_role_needs_it():
    admin, researcher = sign_up(), sign_up()
    grant(admin, Role.ADMIN)
    refused = invoke_api("DELETE", "/me/mfa", token=admin.access_token)
    assert refused.status == 409
    assert "revoke them first" in refused.body["detail"]
    enrol_totp(researcher)
    turned_off = invoke_api("DELETE", "/me/mfa", token=researcher.access_token)
    assert turned_off.status == 200, turned_off.body
    assert turned_off.body["totp_enabled"] is False
    assert post("/auth/sign-in", {"email": researcher.email, "password": PASSWORD}).status == 200


def test_an_account_made_with_a_temporary_password_sets_its_own_at_first_sign_in(cognito):
    email = "invited@example.org"
    cognito.moto.admin_create_user(
        UserPoolId=users_settings().user_pool_id, Username=email, TemporaryPassword="Temporary-pass-1",
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
    )  # fmt: skip
    first = post("/auth/sign-in", {"email": email, "password": "Temporary-pass-1"})
    assert first.status == 202, first.body
    assert first.body["challenge"] == "NEW_PASSWORD_REQUIRED"
    weak = post(
        "/auth/sign-in/new-password", {"email": email, "session": first.body["session"], "new_password": "weak"}
    )
    assert weak.status == 422
    chosen = {"email": email, "session": first.body["session"], "new_password": "My-own-password-1"}
    tokens = post("/auth/sign-in/new-password", chosen)
    assert tokens.status == 200, tokens.body
    me = invoke_api("GET", "/me", token=tokens.body["access_token"])  # the profile was made at sign-in
    assert (me.status, me.body["email"], [r["role"] for r in me.body["roles"]]) == (200, email, ["researcher"])
    assert sign_in(email, "My-own-password-1")

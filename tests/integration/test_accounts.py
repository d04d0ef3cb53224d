"""Sign-up, confirmation, sign-in, refresh, sign-out and passwords, against moto's Cognito."""

import pytest

from tests.support.accounts import PASSWORD, sign_in, sign_up
from tests.support.api import invoke_api

pytestmark = pytest.mark.usefixtures("platform")
JSON = {"content-type": "application/json"}


def test_sign_up_confirm_sign_in_and_call_a_protected_route(platform):
    account = sign_up("Ada@Example.org", name="Ada Lovelace", institution="UCT", department="CBIO", country="ZA")
    me = invoke_api("GET", "/me", token=account.access_token)
    assert me.status == 200, me.body
    assert me.body["email"] == "ada@example.org"
    assert (me.body["institution"], me.body["department"], me.body["country"]) == ("UCT", "CBIO", "ZA")
    assert [r["role"] for r in me.body["roles"]] == ["researcher"]
    assert invoke_api("GET", "/services", token=account.access_token).status == 200
    assert invoke_api("GET", "/me", token=account.id_token).status == 200  # ID tokens are accepted too
    registered = [e for e in platform.captured_events() if e["detail-type"] == "UserRegistered"]
    assert [e["detail"]["data"]["user_id"] for e in registered] == [account.user_id]


def test_an_unconfirmed_account_cannot_sign_in():
    invoke_api("POST", "/auth/sign-up", body={"email": "late@example.org", "password": PASSWORD}, principal=None)
    answer = invoke_api(
        "POST", "/auth/sign-in", body={"email": "late@example.org", "password": PASSWORD}, principal=None
    )
    assert answer.status == 403
    assert "confirm your email" in answer.body["detail"]


def test_wrong_password_and_unknown_email_read_the_same():
    sign_up("known@example.org")
    wrong = invoke_api(
        "POST", "/auth/sign-in", body={"email": "known@example.org", "password": "Wrong-password-1"}, principal=None
    )
    unknown = invoke_api(
        "POST", "/auth/sign-in", body={"email": "nobody@example.org", "password": PASSWORD}, principal=None
    )
    assert wrong.status == unknown.status == 401
    assert wrong.body["detail"] == unknown.body["detail"] == "email or password is wrong"


def test_a_second_sign_up_with_the_same_email_is_a_conflict():
    sign_up("twice@example.org")
    again = invoke_api(
        "POST", "/auth/sign-up", body={"email": "twice@example.org", "password": PASSWORD}, principal=None
    )
    assert again.status == 409


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Short-1", "at least 12 characters"),
        ("no-upper-case-1", "lower-case and upper-case"),
        ("No-digits-at-all", "a digit"),
    ],
)
def test_weak_passwords_are_refused_with_the_rule_they_break(password, message):
    answer = invoke_api(
        "POST", "/auth/sign-up", body={"email": "weak@example.org", "password": password}, principal=None
    )
    assert answer.status == 422
    assert message in answer.body["detail"]
    assert password not in str(answer.body)


def test_refresh_then_sign_out_ends_the_session():
    account = sign_up()
    refreshed = invoke_api("POST", "/auth/refresh", body={"refresh_token": account.refresh_token}, principal=None)
    assert refreshed.status == 200, refreshed.body
    assert refreshed.body["refresh_token"] is None
    assert invoke_api("GET", "/me", token=refreshed.body["access_token"]).status == 200
    assert invoke_api("POST", "/auth/sign-out", token=account.access_token).status == 200
    again = invoke_api("POST", "/auth/refresh", body={"refresh_token": account.refresh_token}, principal=None)
    assert again.status == 401


def test_forgot_and_reset_password():
    account = sign_up("forgetful@example.org")
    for email in ("forgetful@example.org", "stranger@example.org"):  # the same answer either way
        answer = invoke_api("POST", "/auth/forgot-password", body={"email": email}, principal=None)
        assert answer.status == 200
        assert answer.body["message"].startswith("if an account has this email")
    new_password = "Brand-new-password-7"
    reset = invoke_api(
        "POST",
        "/auth/reset-password",
        body={"email": account.email, "code": "123456", "new_password": new_password},
        principal=None,
    )
    assert reset.status == 200, reset.body
    assert sign_in(account.email, new_password, account.user_id).access_token


def test_change_password_needs_a_session_and_the_current_password():
    account = sign_up()
    body = {"current_password": "Not-the-password-1", "new_password": "Another-password-8"}
    wrong = invoke_api("POST", "/auth/change-password", body=body, token=account.access_token)
    assert wrong.status == 401
    body = {"current_password": PASSWORD, "new_password": "Another-password-8"}
    changed = invoke_api("POST", "/auth/change-password", body=body, token=account.access_token)
    assert changed.status == 200, changed.body
    assert sign_in(account.email, "Another-password-8", account.user_id)


def test_the_profile_changes_only_what_is_given():
    account = sign_up(name="Grace")
    answer = invoke_api("PATCH", "/me", body={"institution": "H3ABioNet"}, token=account.access_token)
    assert answer.status == 200
    assert (answer.body["name"], answer.body["institution"]) == ("Grace", "H3ABioNet")
    assert invoke_api("PATCH", "/me", body={"email": "x@y.org"}, token=account.access_token).status == 422

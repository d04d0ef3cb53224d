"""A failure between Cognito and the database never locks an account out: confirming or signing in
again makes (or finishes) the profile from Cognito's own record."""

import pytest

from local_platform.events import lambda_context
from tests.support.accounts import PASSWORD, emailed_code, sign_in
from tests.support.api import invoke_api
from tests.support.stores import FailingWrites
from users.handlers import bootstrap
from users.handlers.routes import common as users_routes
from users.settings import users_settings

pytestmark = pytest.mark.usefixtures("platform")


def post(path, body):
    return invoke_api("POST", path, body=body, principal=None)


def profiles_of(email):
    return invoke_api("GET", "/users", query={"q": email}).body["items"]


def test_a_sign_up_whose_profile_was_lost_is_repaired_by_confirming(platform, monkeypatch):
    email = "lost@example.org"
    monkeypatch.setattr(users_routes, "STORE", FailingWrites(users_routes.STORE))
    answer = post("/auth/sign-up", {"email": email, "password": PASSWORD, "name": "Lost", "country": "KE"})
    assert answer.status == 202  # the same answer: the account exists, and its code is on its way
    assert profiles_of(email) == []
    confirmed = post("/auth/confirm", {"email": email, "code": emailed_code(email)})
    assert confirmed.status == 200, confirmed.body
    (profile,) = profiles_of(email)
    assert (profile["status"], profile["name"], [r["role"] for r in profile["roles"]]) == (
        "active",
        "Lost",
        ["researcher"],
    )
    assert profile["country"] is None  # only what Cognito keeps comes back; the user can set the rest
    registered = [e["detail"] for e in platform.captured_events() if e["detail-type"] == "UserRegistered"]
    assert [d["data"]["user_id"] for d in registered] == [profile["id"]]
    repaired = invoke_api("GET", "/audit-log", query={"action": "profile_repaired"}).body
    assert repaired["items"][0]["target_id"] == profile["id"]
    assert invoke_api("GET", "/me", token=sign_in(email, PASSWORD).access_token).status == 200


def test_a_confirmation_the_database_missed_is_finished_by_signing_in(platform, monkeypatch):
    email = "half@example.org"
    post("/auth/sign-up", {"email": email, "password": PASSWORD})
    monkeypatch.setattr(users_routes, "STORE", FailingWrites(users_routes.STORE))
    failed = post("/auth/confirm", {"email": email, "code": emailed_code(email)})
    assert failed.status == 503
    assert "sign in" in failed.body["detail"]
    assert profiles_of(email)[0]["status"] == "unconfirmed"
    again = post("/auth/confirm", {"email": email, "code": emailed_code(email)})
    assert again.status == 422  # Cognito has it confirmed: the code is spent
    account = sign_in(email, PASSWORD)
    assert [r["role"] for r in invoke_api("GET", "/me", token=account.access_token).body["roles"]] == ["researcher"]
    assert profiles_of(email)[0]["status"] == "active"
    registered = [e for e in platform.captured_events() if e["detail-type"] == "UserRegistered"]
    assert len(registered) == 1


def test_signing_up_again_after_a_lost_profile_sends_a_new_code_and_repairs(cognito, monkeypatch):
    email = "again@example.org"
    monkeypatch.setattr(users_routes, "STORE", FailingWrites(users_routes.STORE))
    post("/auth/sign-up", {"email": email, "password": PASSWORD})
    assert post("/auth/sign-up", {"email": email, "password": PASSWORD}).status == 202
    assert len([mail for mail in cognito.mailbox if mail.to == email]) == 2
    assert post("/auth/confirm", {"email": email, "code": emailed_code(email)}).status == 200
    assert profiles_of(email)[0]["status"] == "active"


def test_the_first_admin_is_bootstrapped_again_after_a_database_failure(cognito, monkeypatch):
    failing = FailingWrites(users_routes.STORE)
    monkeypatch.setattr(bootstrap, "transactions", lambda: failing)
    request = {"email": "root@example.org", "password": "Bootstrap-pass-1"}
    failed = bootstrap.handler(request, lambda_context("bootstrap"))
    assert failed["error"] == "refused"
    assert "try again" in failed["detail"]  # the database could not take the write
    again = bootstrap.handler(request, lambda_context("bootstrap"))  # finds the account Cognito kept
    assert "user_id" in again, again
    users = cognito.moto.list_users(UserPoolId=users_settings().user_pool_id)["Users"]
    assert [u["Username"] for u in users] == [again["user_id"]]

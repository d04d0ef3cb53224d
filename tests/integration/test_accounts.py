"""Sign-up, confirmation, sign-in, refresh, sign-out and passwords, against Cognito (moto behind the
code-checking double): the same answers for known and unknown emails, and a new password or a
sign-out ends every session and, for a new password, every API token."""

import pytest

from tests.support.accounts import PASSWORD, emailed_code, sign_in, sign_up
from tests.support.api import authorize, invoke_api
from tests.support.cognito import PASSWORD as RESET
from tests.support.tokens import access_token_issued_earlier

pytestmark = pytest.mark.usefixtures("platform")


def post(path, body):
    return invoke_api("POST", path, body=body, principal=None)


def api_token_of(account):
    return invoke_api("POST", "/me/api-tokens", body={"name": "pipeline"}, token=account.access_token).body["token"]


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
    post("/auth/sign-up", {"email": "late@example.org", "password": PASSWORD})
    answer = post("/auth/sign-in", {"email": "late@example.org", "password": PASSWORD})
    assert answer.status == 403
    assert "confirm your email" in answer.body["detail"]


def test_wrong_password_and_unknown_email_read_the_same():
    sign_up("known@example.org")
    wrong = post("/auth/sign-in", {"email": "known@example.org", "password": "Wrong-password-1"})
    unknown = post("/auth/sign-in", {"email": "nobody@example.org", "password": PASSWORD})
    assert wrong.status == unknown.status == 401
    assert wrong.body["detail"] == unknown.body["detail"] == "email or password is wrong"


@pytest.mark.parametrize("route", ["/auth/sign-up", "/auth/resend-code", "/auth/forgot-password"])
def test_known_and_unknown_emails_get_the_same_answer(route, cognito):
    sign_up("confirmed@example.org")
    post("/auth/sign-up", {"email": "waiting@example.org", "password": PASSWORD})
    answers = [
        post(route, {"email": email, "password": PASSWORD} if route == "/auth/sign-up" else {"email": email})
        for email in ("confirmed@example.org", "waiting@example.org", "new-or-unknown@example.org")
    ]
    assert len({answer.status for answer in answers}) == 1, [(a.status, a.body) for a in answers]
    assert answers[0].status in (200, 202)  # never 409 for a registered email
    assert len({str(answer.body) for answer in answers}) == 1, [a.body for a in answers]
    assert set(answers[0].body) == {"message"}


def test_a_second_sign_up_of_a_half_finished_account_sends_a_new_code_and_changes_nothing(cognito):
    post("/auth/sign-up", {"email": "twice@example.org", "password": PASSWORD})
    first = cognito.code_for("twice@example.org")
    again = post("/auth/sign-up", {"email": "twice@example.org", "password": "Another-password-9"})
    assert again.status == 202
    assert len([m for m in cognito.mailbox if m.to == "twice@example.org"]) == 2
    refused = post("/auth/confirm", {"email": "twice@example.org", "code": first})
    assert refused.status == 422  # the older code expired with the new one
    assert (
        post("/auth/confirm", {"email": "twice@example.org", "code": emailed_code("twice@example.org")}).status == 200
    )
    assert sign_in("twice@example.org", PASSWORD)  # the first password stands
    assert post("/auth/sign-in", {"email": "twice@example.org", "password": "Another-password-9"}).status == 401


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Short-1", "at least 12 characters"),
        ("no-upper-case-1", "lower-case and upper-case"),
        ("No-digits-at-all", "a digit"),
    ],
)
def test_weak_passwords_are_refused_with_the_rule_they_break(password, message):
    answer = post("/auth/sign-up", {"email": "weak@example.org", "password": password})
    assert answer.status == 422
    assert message in answer.body["detail"]
    assert password not in str(answer.body)


def test_refresh_then_sign_out_ends_every_session():
    account = sign_up()
    earlier = access_token_issued_earlier(account.user_id)
    refreshed = post("/auth/refresh", {"refresh_token": account.refresh_token})
    assert refreshed.status == 200, refreshed.body
    assert refreshed.body["refresh_token"] is None
    assert invoke_api("GET", "/me", token=refreshed.body["access_token"]).status == 200
    api_token = api_token_of(account)
    assert authorize(earlier)["isAuthorized"] is True
    assert invoke_api("POST", "/auth/sign-out", token=account.access_token).status == 200
    assert post("/auth/refresh", {"refresh_token": account.refresh_token}).status == 401
    assert authorize(earlier) == {"isAuthorized": False}  # Cognito would let it live until it expires
    assert authorize(api_token)["isAuthorized"] is True  # signing out leaves pipelines alone
    assert invoke_api("GET", "/me", token=sign_in(account.email, PASSWORD).access_token).status == 200


def test_forgot_and_reset_password_ends_every_session_and_api_token(cognito):
    account = sign_up("forgetful@example.org")
    earlier, api_token = access_token_issued_earlier(account.user_id), api_token_of(account)
    assert post("/auth/forgot-password", {"email": account.email}).status == 200
    new_password = "Brand-new-password-7"
    reset = {"email": account.email, "code": cognito.code_for(account.email, RESET), "new_password": new_password}
    answer = post("/auth/reset-password", reset)
    assert answer.status == 200, answer.body
    assert "every session and API token" in answer.body["message"]
    assert post("/auth/refresh", {"refresh_token": account.refresh_token}).status == 401
    assert authorize(earlier) == {"isAuthorized": False}
    assert authorize(api_token) == {"isAuthorized": False}
    tokens = invoke_api("GET", "/me/api-tokens", token=sign_in(account.email, new_password).access_token).body
    assert [t["revoked_at"] is not None for t in tokens["items"]] == [True]
    assert post("/auth/sign-in", {"email": account.email, "password": PASSWORD}).status == 401


def test_reset_codes_must_be_the_last_one_emailed_and_used_once(cognito):
    account = sign_up()
    post("/auth/forgot-password", {"email": account.email})
    older = cognito.code_for(account.email, RESET)
    post("/auth/forgot-password", {"email": account.email})
    newer = cognito.code_for(account.email, RESET)
    body = {"email": account.email, "new_password": "Brand-new-password-7"}
    wrong = post("/auth/reset-password", {**body, "code": "000000" if newer != "000000" else "000001"})
    old = post("/auth/reset-password", {**body, "code": older})
    assert wrong.status == old.status == 422
    assert wrong.body["detail"] == old.body["detail"]  # no Cognito text: one fixed message
    assert post("/auth/reset-password", {**body, "code": newer}).status == 200
    assert post("/auth/reset-password", {**body, "code": newer}).status == 422  # used up


def test_a_reset_code_expires_after_an_hour(cognito):
    account = sign_up()
    post("/auth/forgot-password", {"email": account.email})
    cognito.advance(3601)
    body = {"email": account.email, "code": cognito.code_for(account.email, RESET), "new_password": "Brand-new-pw-77"}
    assert post("/auth/reset-password", body).status == 422
    assert sign_in(account.email, PASSWORD)


def test_change_password_needs_a_session_and_ends_every_session_and_api_token():
    account = sign_up()
    api_token = api_token_of(account)
    body = {"current_password": PASSWORD, "new_password": "Another-password-8"}
    by_token = invoke_api("POST", "/auth/change-password", body=body, token=api_token)
    assert by_token.status == 403
    assert "signed-in session" in by_token.body["detail"]
    wrong = {"current_password": "Not-the-password-1", "new_password": "Another-password-8"}
    assert invoke_api("POST", "/auth/change-password", body=wrong, token=account.access_token).status == 401
    earlier = access_token_issued_earlier(account.user_id)
    changed = invoke_api("POST", "/auth/change-password", body=body, token=account.access_token)
    assert changed.status == 200, changed.body
    assert authorize(earlier) == {"isAuthorized": False}
    assert authorize(api_token) == {"isAuthorized": False}
    assert sign_in(account.email, "Another-password-8")


def test_the_profile_changes_only_what_is_given():
    account = sign_up(name="Grace")
    answer = invoke_api("PATCH", "/me", body={"institution": "H3ABioNet"}, token=account.access_token)
    assert answer.status == 200
    assert (answer.body["name"], answer.body["institution"]) == ("Grace", "H3ABioNet")
    assert invoke_api("PATCH", "/me", body={"email": "x@y.org"}, token=account.access_token).status == 422


@pytest.mark.parametrize(
    ("country", "says"),
    [("XX", "not an ISO 3166-1 alpha-2 country code"), ("za", "pattern"), ("South Africa", "pattern")],
)
def test_a_country_is_an_assigned_iso_code_at_sign_up_and_in_the_profile(country, says):
    refused = post("/auth/sign-up", {"email": "kwame@example.org", "password": PASSWORD, "country": country})
    assert refused.status == 422, refused.body
    [problem] = refused.body["errors"]
    assert (problem["location"], says in problem["message"]) == ("body.country", True)
    account = sign_up(name="Kwame", country="GH")
    changed = invoke_api("PATCH", "/me", body={"country": country}, token=account.access_token)
    assert changed.status == 422, changed.body
    assert says in changed.body["errors"][0]["message"]
    assert invoke_api("GET", "/me", token=account.access_token).body["country"] == "GH"

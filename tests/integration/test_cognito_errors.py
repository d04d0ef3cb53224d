"""What callers get when Cognito throttles, fails, stops answering, asks for a step the platform does
not offer, or refuses a code: a fixed problem with the right status, never Cognito's own words."""

import pytest

from tests.support.accounts import PASSWORD, sign_up
from tests.support.api import invoke_api

pytestmark = pytest.mark.usefixtures("platform")
COGNITO_SAYS = "1 validation error detected: Value at 'userAttributes' failed to satisfy constraint"


def post(path, body):
    return invoke_api("POST", path, body=body, principal=None)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("TooManyRequestsException", 429),
        ("LimitExceededException", 429),
        ("InternalErrorException", 503),
        (None, 503),  # the endpoint does not answer
    ],
)
def test_a_sign_in_cognito_cannot_serve_is_a_fixed_problem(cognito, code, status):
    account = sign_up()
    cognito.fail_next("initiate_auth", code, COGNITO_SAYS)
    answer = post("/auth/sign-in", {"email": account.email, "password": PASSWORD})
    assert answer.status == status, answer.body
    assert answer.content_type == "application/problem+json"
    assert COGNITO_SAYS not in str(answer.body)
    failures = invoke_api("GET", "/audit-log", query={"actor_id": account.user_id, "action": "sign_in"}).body
    assert failures["items"][0]["outcome"] == "failure"  # newest first


@pytest.mark.parametrize(
    ("operation", "route", "body"),
    [
        ("sign_up", "/auth/sign-up", {"email": "refused@example.org", "password": PASSWORD}),
        ("confirm_sign_up", "/auth/confirm", {"email": "refused@example.org", "code": "123456"}),
        ("confirm_forgot_password", "/auth/reset-password",
         {"email": "refused@example.org", "code": "123456", "new_password": "Brand-new-password-7"}),
    ],
)  # fmt: skip
@pytest.mark.parametrize("code", ["InvalidParameterException", "InvalidPasswordException"])
def test_cognito_refusals_read_a_fixed_message(cognito, operation, route, body, code):
    cognito.fail_next(operation, code, COGNITO_SAYS)
    answer = post(route, body)
    assert answer.status == 422, answer.body
    assert COGNITO_SAYS not in str(answer.body)


def test_a_refusal_cognito_has_no_fixed_answer_for_is_a_500_without_its_words(cognito):
    cognito.fail_next("initiate_auth", "SomethingNewException", COGNITO_SAYS)
    answer = post("/auth/sign-in", {"email": "x@example.org", "password": PASSWORD})
    assert answer.status == 500
    assert COGNITO_SAYS not in str(answer.body)
    assert answer.body["correlation_id"]


def test_sign_up_codes_are_checked_as_cognito_checks_them(cognito):
    post("/auth/sign-up", {"email": "codes@example.org", "password": PASSWORD})
    issued = cognito.code_for("codes@example.org")
    wrong = post("/auth/confirm", {"email": "codes@example.org", "code": "000000" if issued != "000000" else "000001"})
    unknown = post("/auth/confirm", {"email": "nobody@example.org", "code": issued})
    assert wrong.status == unknown.status == 422
    assert wrong.body["detail"] == unknown.body["detail"]
    cognito.advance(24 * 3600 + 1)  # a sign-up code lives 24 hours
    assert post("/auth/confirm", {"email": "codes@example.org", "code": issued}).status == 422
    post("/auth/resend-code", {"email": "codes@example.org"})
    assert (
        post("/auth/confirm", {"email": "codes@example.org", "code": cognito.code_for("codes@example.org")}).status
        == 200
    )
    again = post("/auth/confirm", {"email": "codes@example.org", "code": cognito.code_for("codes@example.org")})
    assert again.status == 422  # confirmed already: Cognito's NotAuthorizedException, our fixed message
    assert "sign in" in again.body["detail"]


def test_a_sign_in_step_the_platform_does_not_offer_is_refused_plainly(cognito, monkeypatch):
    account = sign_up()
    monkeypatch.setattr(
        cognito.moto,
        "initiate_auth",
        lambda **_: {"ChallengeName": "SMS_MFA", "Session": "s", "ChallengeParameters": {}},
    )
    answer = post("/auth/sign-in", {"email": account.email, "password": PASSWORD})
    assert answer.status == 403
    assert "does not offer" in answer.body["detail"]

"""Routes of accounts: sign-up and confirmation, sign-in (with the second factor and a new password),
refresh, password reset and change, sign-out."""

from __future__ import annotations

from http import HTTPStatus

from aws_lambda_powertools.event_handler import Response

from fip_core.http import answers, current_principal, json_response, route_group, source_ip
from users.adapters.clock import system_clock
from users.adapters.cognito import cognito_accounts
from users.handlers.routes import common
from users.handlers.routes.common import (
    ACCOUNT,
    access_token,
    sign_in_answers,
    sign_in_flow,
    signed_in,
)
from users.logic import passwords, registration, sessions
from users.models.accounts import (
    Accepted,
    ChangePassword,
    ConfirmSignUp,
    EmailOnly,
    NewPasswordSignIn,
    Refresh,
    ResetPassword,
    SignIn,
    SignInChallenge,
    SignUp,
    Tokens,
    TotpSignIn,
)
from users.settings import users_settings

router = route_group()


@router.post("/auth/sign-up", summary="Create an account", tags=[ACCOUNT], responses=answers(202, Accepted, 429))
def sign_up(body: SignUp) -> Response[Accepted]:
    accepted = registration.sign_up(common.STORE, cognito_accounts(), body, source_ip(router), system_clock)
    return json_response(accepted, HTTPStatus.ACCEPTED)


@router.post(
    "/auth/confirm",
    summary="Confirm the email address with the emailed code",
    tags=[ACCOUNT],
    responses=answers(200, Accepted, 429),
)
def confirm(body: ConfirmSignUp) -> Accepted:
    pool = cognito_accounts()
    return registration.confirm_sign_up(
        common.STORE, pool, pool, body, users_settings().default_role, source_ip(router), system_clock
    )


@router.post(
    "/auth/resend-code",
    summary="Email the confirmation code again",
    tags=[ACCOUNT],
    responses=answers(200, Accepted, 429),
)
def resend_code(body: EmailOnly) -> Accepted:
    return registration.resend_code(cognito_accounts(), body)


@router.post(
    "/auth/sign-in",
    summary="Sign in: tokens for email and password, or the next step (202)",
    tags=[ACCOUNT],
    responses=sign_in_answers(),
)
def sign_in(body: SignIn) -> Response[Tokens | SignInChallenge]:
    answer = sign_in_flow().password(body, source_ip(router))
    return signed_in(answer)


@router.post(
    "/auth/sign-in/mfa",
    summary="Sign in, second step: the authenticator app's code",
    tags=[ACCOUNT],
    responses=sign_in_answers(),
)
def sign_in_totp(body: TotpSignIn) -> Response[Tokens | SignInChallenge]:
    answer = sign_in_flow().totp(body, source_ip(router))
    return signed_in(answer)


@router.post(
    "/auth/sign-in/new-password",
    summary="Sign in, second step: your own password instead of a temporary one",
    tags=[ACCOUNT],
    responses=sign_in_answers(),
)
def sign_in_new_password(body: NewPasswordSignIn) -> Response[Tokens | SignInChallenge]:
    answer = sign_in_flow().new_password(body, source_ip(router))
    return signed_in(answer)


@router.post(
    "/auth/refresh",
    summary="New tokens for a refresh token",
    tags=[ACCOUNT],
    responses=answers(200, Tokens, 401, 429),
)
def refresh(body: Refresh) -> Tokens:
    return sessions.as_tokens(cognito_accounts().refresh(body.refresh_token.get_secret_value()))


@router.post(
    "/auth/forgot-password",
    summary="Email a password reset code",
    tags=[ACCOUNT],
    responses=answers(200, Accepted, 429),
)
def forgot_password(body: EmailOnly) -> Accepted:
    return passwords.forgot_password(common.STORE, cognito_accounts(), body, source_ip(router), system_clock)


@router.post(
    "/auth/reset-password",
    summary="Set a new password with the emailed code; every session and API token ends",
    tags=[ACCOUNT],
    responses=answers(200, Accepted, 429),
)
def reset_password(body: ResetPassword) -> Accepted:
    pool = cognito_accounts()
    return passwords.reset_password(common.STORE, pool, pool, body, source_ip(router), system_clock)


@router.post(
    "/auth/sign-out",
    summary="Sign out everywhere: every session ends, API tokens stay",
    tags=[ACCOUNT],
    responses=answers(200, Accepted, 401),
)
def sign_out() -> Accepted:
    sessions.sign_out(common.STORE, cognito_accounts(), current_principal(router), source_ip(router), system_clock())
    return Accepted(message="signed out everywhere: sign in again for a new session")


@router.post(
    "/auth/change-password",
    summary="Change your password; every session and API token ends",
    tags=[ACCOUNT],
    responses=answers(200, Accepted, 401, 403, 429),
)
def change_password(body: ChangePassword) -> Accepted:
    pool = cognito_accounts()
    return passwords.change_password(
        common.STORE, pool, pool, current_principal(router), access_token(router), body, source_ip(router), system_clock
    )

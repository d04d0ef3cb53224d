"""The users HTTP API: accounts, two-factor sign-in, profiles, roles, personal API tokens, stored
tokens, audit log. Each route validates its input, hands the logic its adapters (the pool, the key,
the clock, the store) and maps nothing itself."""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus
from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from fip_core.access import SESSION_NEEDED
from fip_core.http import (
    answers,
    api_handler,
    create_resolver,
    current_principal,
    json_response,
    no_content,
    source_ip,
)
from fip_core.observability import observability
from fip_core.problems import ForbiddenError
from users.adapters.clock import system_clock
from users.adapters.cognito import cognito_accounts
from users.adapters.kms import credential_cipher
from users.dal import unit_of_work
from users.dal.unit_of_work import users_repository
from users.declaration import DECLARATION
from users.domain import AuditQuery
from users.logic import accounts, audit, credentials, mfa, passwords, profiles, registration, roles, sessions, tokens
from users.logic.authentication import bearer_token
from users.logic.ports import Transactions
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
from users.models.audit import AuditPage
from users.models.credentials import CredentialStore, StoredCredential, StoredCredentialList
from users.models.mfa import MfaStatus, TotpEnrolment, TotpVerification
from users.models.profiles import AccountStatusChange, ProfileUpdate, UserPage, UserProfile
from users.models.roles import RoleGrant, RoleGrantCreate, RoleGrantList
from users.models.tokens import ApiToken, ApiTokenCreate, ApiTokenCreated, ApiTokenList
from users.settings import DOMAIN, users_settings

obs = observability(DOMAIN)
app = create_resolver(obs)
STORE: Transactions = unit_of_work.STORE  # the transactions the logic is handed (a test may hand it failing ones)

ACCOUNT = "Account"
PROFILE = "Profile and tokens"
ADMIN = "Administration"


def sign_in_answers() -> dict[int, OpenAPIResponse]:
    """Tokens (200), or the next step of signing in (202)."""
    return {**answers(200, Tokens, 401, 403, 429, 503), **answers(202, SignInChallenge)}


def _now() -> datetime:
    return system_clock()


def _access_token() -> str:
    """The caller's Cognito access token, for the calls Cognito takes on the user's own session."""
    token = bearer_token(app.current_event.headers.get("authorization"))
    if token is None or current_principal(app).method != "cognito":
        raise ForbiddenError(SESSION_NEEDED)
    return token


def _sign_in_flow() -> sessions.SignInFlow:
    pool = cognito_accounts()
    return sessions.SignInFlow(STORE, pool, pool, users_settings().default_role, system_clock)


def _signed_in(answer: Tokens | SignInChallenge) -> Response[Tokens | SignInChallenge]:
    return json_response(answer, HTTPStatus.OK if isinstance(answer, Tokens) else HTTPStatus.ACCEPTED)


# --- accounts -------------------------------------------------------------------------------------


@app.post("/auth/sign-up", summary="Create an account", tags=[ACCOUNT], responses=answers(202, Accepted, 429, 503))
def sign_up(body: SignUp) -> Response[Accepted]:
    accepted = registration.sign_up(STORE, cognito_accounts(), body, source_ip(app), system_clock)
    return json_response(accepted, HTTPStatus.ACCEPTED)


@app.post(
    "/auth/confirm",
    summary="Confirm the email address with the emailed code",
    tags=[ACCOUNT],
    responses=answers(200, Accepted, 429, 503),
)
def confirm(body: ConfirmSignUp) -> Accepted:
    pool = cognito_accounts()
    return registration.confirm_sign_up(
        STORE, pool, pool, body, users_settings().default_role, source_ip(app), system_clock
    )


@app.post(
    "/auth/resend-code",
    summary="Email the confirmation code again",
    tags=[ACCOUNT],
    responses=answers(200, Accepted, 429, 503),
)
def resend_code(body: EmailOnly) -> Accepted:
    return registration.resend_code(cognito_accounts(), body)


@app.post(
    "/auth/sign-in",
    summary="Sign in: tokens for email and password, or the next step (202)",
    tags=[ACCOUNT],
    responses=sign_in_answers(),
)
def sign_in(body: SignIn) -> Response[Tokens | SignInChallenge]:
    answer = _sign_in_flow().password(body, source_ip(app))
    return _signed_in(answer)


@app.post(
    "/auth/sign-in/mfa",
    summary="Sign in, second step: the authenticator app's code",
    tags=[ACCOUNT],
    responses=sign_in_answers(),
)
def sign_in_totp(body: TotpSignIn) -> Response[Tokens | SignInChallenge]:
    answer = _sign_in_flow().totp(body, source_ip(app))
    return _signed_in(answer)


@app.post(
    "/auth/sign-in/new-password",
    summary="Sign in, second step: your own password instead of a temporary one",
    tags=[ACCOUNT],
    responses=sign_in_answers(),
)
def sign_in_new_password(body: NewPasswordSignIn) -> Response[Tokens | SignInChallenge]:
    answer = _sign_in_flow().new_password(body, source_ip(app))
    return _signed_in(answer)


@app.post(
    "/auth/refresh",
    summary="New tokens for a refresh token",
    tags=[ACCOUNT],
    responses=answers(200, Tokens, 401, 429, 503),
)
def refresh(body: Refresh) -> Tokens:
    return sessions.as_tokens(cognito_accounts().refresh(body.refresh_token.get_secret_value()))


@app.post(
    "/auth/forgot-password",
    summary="Email a password reset code",
    tags=[ACCOUNT],
    responses=answers(200, Accepted, 429, 503),
)
def forgot_password(body: EmailOnly) -> Accepted:
    return passwords.forgot_password(STORE, cognito_accounts(), body, source_ip(app), system_clock)


@app.post(
    "/auth/reset-password",
    summary="Set a new password with the emailed code; every session and API token ends",
    tags=[ACCOUNT],
    responses=answers(200, Accepted, 429, 503),
)
def reset_password(body: ResetPassword) -> Accepted:
    pool = cognito_accounts()
    return passwords.reset_password(STORE, pool, pool, body, source_ip(app), system_clock)


@app.post(
    "/auth/sign-out",
    summary="Sign out everywhere: every session ends, API tokens stay",
    tags=[ACCOUNT],
    responses=answers(200, Accepted, 401, 503),
)
def sign_out() -> Accepted:
    sessions.sign_out(STORE, cognito_accounts(), current_principal(app), source_ip(app), _now())
    return Accepted(message="signed out everywhere: sign in again for a new session")


@app.post(
    "/auth/change-password",
    summary="Change your password; every session and API token ends",
    tags=[ACCOUNT],
    responses=answers(200, Accepted, 401, 403, 429, 503),
)
def change_password(body: ChangePassword) -> Accepted:
    pool = cognito_accounts()
    return passwords.change_password(
        STORE, pool, pool, current_principal(app), _access_token(), body, source_ip(app), system_clock
    )


# --- one's own profile, second factor, API tokens and stored service tokens ---------------------------


@app.get("/me", summary="Your profile and roles", tags=[PROFILE], responses=answers(200, UserProfile, 401, 404))
def me() -> UserProfile:
    with users_repository() as repo:
        return profiles.profile(repo, current_principal(app).user_id, _now())


@app.patch("/me", summary="Change your profile", tags=[PROFILE], responses=answers(200, UserProfile, 401, 404))
def update_me(body: ProfileUpdate) -> UserProfile:
    with users_repository() as repo:
        return profiles.update_profile(repo, current_principal(app), body, _now())


@app.get(
    "/me/mfa",
    summary="Whether you sign in with an authenticator app",
    tags=[PROFILE],
    responses=answers(200, MfaStatus, 401, 404, 503),
)
def my_mfa() -> MfaStatus:
    return mfa.mfa_status(STORE, cognito_accounts(), current_principal(app), system_clock)


@app.post(
    "/me/mfa/totp",
    summary="Start two-factor sign-in: a secret for your authenticator app",
    tags=[PROFILE],
    responses=answers(200, TotpEnrolment, 401, 403, 503),
)
def start_totp() -> TotpEnrolment:
    return mfa.start_totp(cognito_accounts(), current_principal(app), _access_token(), users_settings().totp_issuer)


@app.post(
    "/me/mfa/totp/verify",
    summary="Finish two-factor sign-in with a code of the app",
    tags=[PROFILE],
    responses=answers(200, MfaStatus, 401, 403, 409, 503),
)
def verify_totp(body: TotpVerification) -> MfaStatus:
    return mfa.verify_totp(
        STORE, cognito_accounts(), current_principal(app), _access_token(), body, source_ip(app), system_clock
    )


@app.delete(
    "/me/mfa",
    summary="Stop two-factor sign-in (refused while you hold a role that needs it)",
    tags=[PROFILE],
    responses=answers(200, MfaStatus, 401, 403, 404, 409, 503),
)
def turn_off_mfa() -> MfaStatus:
    return mfa.turn_off(
        STORE, cognito_accounts(), current_principal(app), _access_token(), source_ip(app), system_clock
    )


@app.get(
    "/me/api-tokens", summary="Your personal API tokens", tags=[PROFILE], responses=answers(200, ApiTokenList, 401)
)
def my_tokens() -> ApiTokenList:
    with users_repository() as repo:
        return tokens.list_tokens(repo, current_principal(app).user_id)


@app.post(
    "/me/api-tokens",
    summary="Create a personal API token (shown once; needs a signed-in session)",
    tags=[PROFILE],
    responses=answers(201, ApiTokenCreated, 401, 403),
)
def create_token(body: ApiTokenCreate) -> Response[ApiTokenCreated]:
    with users_repository() as repo:
        created = tokens.create_token(repo, current_principal(app), body, users_settings(), source_ip(app), _now())
    return json_response(created, HTTPStatus.CREATED)


@app.delete(
    "/me/api-tokens/<token_id>",
    summary="Revoke one of your API tokens",
    tags=[PROFILE],
    responses=answers(200, ApiToken, 401, 404),
)
def revoke_token(token_id: Annotated[str, Path(max_length=64)]) -> ApiToken:
    with users_repository() as repo:
        return tokens.revoke_token(repo, current_principal(app), token_id, source_ip(app), _now())


@app.get(
    "/me/credentials",
    summary="Services you stored a token for",
    tags=[PROFILE],
    responses=answers(200, StoredCredentialList, 401),
)
def my_credentials() -> StoredCredentialList:
    with users_repository() as repo:
        return credentials.list_credentials(repo, current_principal(app).user_id)


@app.put(
    "/me/credentials/<service_id>",
    summary="Store your token for a service (encrypted; never shown again)",
    tags=[PROFILE],
    responses=answers(200, StoredCredential, 401, 503),
)
def store_credential(service_id: UUID, body: CredentialStore) -> StoredCredential:
    with users_repository() as repo:
        return credentials.store_credential(
            repo, credential_cipher(), current_principal(app), str(service_id), body.token.get_secret_value(), _now()
        )


@app.delete(
    "/me/credentials/<service_id>",
    summary="Forget your token for a service",
    tags=[PROFILE],
    responses=answers(204, None, 401, 404),
)
def delete_credential(service_id: UUID) -> Response[None]:
    with users_repository() as repo:
        credentials.delete_credential(repo, current_principal(app), str(service_id), _now())
    return no_content()


# --- administration ---------------------------------------------------------------------------------


@app.get("/users", summary="Find users", tags=[ADMIN], responses=answers(200, UserPage, 401, 403))
def find_users(
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> UserPage:
    with users_repository() as repo:
        return profiles.find_users(repo, q, limit, offset, _now())


@app.get("/users/<user_id>", summary="A user", tags=[ADMIN], responses=answers(200, UserProfile, 401, 403, 404))
def get_user(user_id: Annotated[str, Path(max_length=64)]) -> UserProfile:
    with users_repository() as repo:
        return profiles.profile(repo, user_id, _now())


@app.put(
    "/users/<user_id>/status",
    summary="Disable an account, or enable it again (needs a signed-in session)",
    tags=[ADMIN],
    responses=answers(200, UserProfile, 401, 403, 404, 409, 503),
)
def change_status(user_id: Annotated[str, Path(max_length=64)], body: AccountStatusChange) -> UserProfile:
    return accounts.change_status(
        STORE, cognito_accounts(), user_id, body, current_principal(app), source_ip(app), system_clock
    )


@app.get(
    "/users/<user_id>/roles",
    summary="A user's role grants",
    tags=[ADMIN],
    responses=answers(200, RoleGrantList, 401, 403, 404),
)
def user_roles(user_id: Annotated[str, Path(max_length=64)]) -> RoleGrantList:
    with users_repository() as repo:
        return roles.list_roles(repo, user_id)


@app.post(
    "/users/<user_id>/roles",
    summary="Grant a role (admin and service_admin only to accounts with two-factor sign-in)",
    tags=[ADMIN],
    responses=answers(201, RoleGrant, 401, 403, 404, 409, 503),
)
def grant_role(user_id: Annotated[str, Path(max_length=64)], body: RoleGrantCreate) -> Response[RoleGrant]:
    grant = roles.grant_role(STORE, cognito_accounts(), user_id, body, current_principal(app), _now())
    return json_response(grant, HTTPStatus.CREATED)


@app.delete(
    "/users/<user_id>/roles/<grant_id>",
    summary="Revoke a role grant (never the platform's last admin)",
    tags=[ADMIN],
    responses=answers(200, RoleGrant, 401, 403, 404, 409),
)
def revoke_role(
    user_id: Annotated[str, Path(max_length=64)], grant_id: Annotated[str, Path(max_length=64)]
) -> RoleGrant:
    return roles.revoke_role(STORE, cognito_accounts(), user_id, grant_id, current_principal(app), _now())


@app.get(
    "/audit-log",
    summary="Sign-ins and admin actions of every domain, newest first",
    tags=[ADMIN],
    responses=answers(200, AuditPage, 401, 403),
)
def audit_log(
    actor_id: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    domain: Annotated[str | None, Query(max_length=32)] = None,
    since: Annotated[datetime | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> AuditPage:
    query = AuditQuery(actor_id=actor_id, action=action, domain=domain, since=since, limit=limit, offset=offset)
    with users_repository() as repo:
        return audit.find_audit(repo, query)


handler = api_handler(app, obs, DECLARATION)

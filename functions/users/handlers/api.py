"""The users HTTP API: accounts, profiles, roles, personal API tokens, stored tokens, audit log."""

from __future__ import annotations

from datetime import UTC, datetime
from http import HTTPStatus
from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from fip_core.access import Principal
from fip_core.http import (
    api_handler,
    create_resolver,
    current_principal,
    json_response,
    no_content,
    problem_responses,
    source_ip,
)
from fip_core.observability import observability
from fip_core.problems import DomainError, UnprocessableError
from users.adapters.cognito import cognito_accounts
from users.adapters.kms import credential_cipher
from users.dal.repository import AuditQuery
from users.dal.unit_of_work import users_repository
from users.declaration import DECLARATION
from users.logic import accounts, audit, credentials, profiles, roles, tokens
from users.logic.authentication import bearer_token
from users.models.accounts import (
    Accepted,
    ChangePassword,
    ConfirmSignUp,
    EmailOnly,
    Refresh,
    ResetPassword,
    SignedUp,
    SignIn,
    SignUp,
    Tokens,
)
from users.models.audit import AuditPage
from users.models.credentials import CredentialStore, StoredCredential, StoredCredentialList
from users.models.profiles import ProfileUpdate, UserPage, UserProfile
from users.models.roles import RoleGrant, RoleGrantCreate, RoleGrantList
from users.models.tokens import ApiToken, ApiTokenCreate, ApiTokenCreated, ApiTokenList
from users.settings import DOMAIN, users_settings

obs = observability(DOMAIN)
app = create_resolver(obs)

ACCOUNT = "Account"
PROFILE = "Profile and tokens"
ADMIN = "Administration"


def _now() -> datetime:
    return datetime.now(UTC)


def _cognito_session() -> tuple[Principal, str]:
    """The caller and their access token, for Cognito calls made on their behalf."""
    principal = current_principal(app)
    token = bearer_token(app.current_event.headers.get("authorization"))
    if principal.method != "cognito" or token is None:
        raise UnprocessableError("this acts on a Cognito session: call it with your access token, not an API token")
    return principal, token


# --- accounts -------------------------------------------------------------------------------------


@app.post("/auth/sign-up", summary="Create an account", tags=[ACCOUNT], responses=problem_responses(409))
def sign_up(body: SignUp) -> Response[SignedUp]:
    with users_repository() as repo:
        signed_up = accounts.sign_up(
            repo, cognito_accounts(), body, users_settings().default_role, source_ip(app), _now()
        )
    return json_response(signed_up, HTTPStatus.CREATED)


@app.post(
    "/auth/confirm",
    summary="Confirm the email address with the emailed code",
    tags=[ACCOUNT],
    responses=problem_responses(),
)
def confirm(body: ConfirmSignUp) -> Accepted:
    with users_repository() as repo:
        return accounts.confirm_sign_up(
            repo, cognito_accounts(), body, users_settings().default_role, source_ip(app), _now()
        )


@app.post(
    "/auth/resend-code", summary="Email the confirmation code again", tags=[ACCOUNT], responses=problem_responses(429)
)
def resend_code(body: EmailOnly) -> Accepted:
    return accounts.resend_code(cognito_accounts(), body)


@app.post(
    "/auth/sign-in",
    summary="Sign in: tokens for email and password",
    tags=[ACCOUNT],
    responses=problem_responses(401, 403, 429),
)
def sign_in(body: SignIn) -> Tokens:
    try:
        session = cognito_accounts().sign_in(body.email, body.password.get_secret_value())
    except DomainError:
        with users_repository() as repo:
            accounts.record_sign_in(repo, body.email, False, source_ip(app), _now())
        raise
    with users_repository() as repo:
        accounts.record_sign_in(repo, body.email, True, source_ip(app), _now())
    return accounts.as_tokens(session)


@app.post("/auth/refresh", summary="New tokens for a refresh token", tags=[ACCOUNT], responses=problem_responses(401))
def refresh(body: Refresh) -> Tokens:
    return accounts.as_tokens(cognito_accounts().refresh(body.refresh_token.get_secret_value()))


@app.post(
    "/auth/forgot-password", summary="Email a password reset code", tags=[ACCOUNT], responses=problem_responses(429)
)
def forgot_password(body: EmailOnly) -> Accepted:
    cognito_accounts().forgot_password(body.email)
    with users_repository() as repo:
        accounts.record_account_action(repo, "password_reset_requested", None, source_ip(app), _now(), body.email)
    return Accepted(message="if an account has this email, a reset code is on its way")


@app.post(
    "/auth/reset-password",
    summary="Set a new password with the emailed code",
    tags=[ACCOUNT],
    responses=problem_responses(401),
)
def reset_password(body: ResetPassword) -> Accepted:
    cognito_accounts().reset_password(body.email, body.code, body.new_password.get_secret_value())
    with users_repository() as repo:
        accounts.record_account_action(repo, "password_reset", None, source_ip(app), _now(), body.email)
    return Accepted(message="password changed; sign in with the new one")


@app.post(
    "/auth/sign-out",
    summary="Sign out everywhere: refresh tokens stop working",
    tags=[ACCOUNT],
    responses=problem_responses(401),
)
def sign_out() -> Accepted:
    principal = current_principal(app)
    cognito_accounts().sign_out(principal.email or principal.user_id)
    with users_repository() as repo:
        accounts.record_account_action(repo, "sign_out", principal, source_ip(app), _now())
    return Accepted(message="signed out; access tokens already issued stay valid until they expire")


@app.post("/auth/change-password", summary="Change your password", tags=[ACCOUNT], responses=problem_responses(401))
def change_password(body: ChangePassword) -> Accepted:
    principal, token = _cognito_session()
    cognito_accounts().change_password(
        token, body.current_password.get_secret_value(), body.new_password.get_secret_value()
    )
    with users_repository() as repo:
        accounts.record_account_action(repo, "password_changed", principal, source_ip(app), _now())
    return Accepted(message="password changed")


# --- one's own profile, API tokens and stored service tokens -----------------------------------------


@app.get("/me", summary="Your profile and roles", tags=[PROFILE], responses=problem_responses(401))
def me() -> UserProfile:
    with users_repository() as repo:
        return profiles.profile(repo, current_principal(app).user_id, _now())


@app.patch("/me", summary="Change your profile", tags=[PROFILE], responses=problem_responses(401))
def update_me(body: ProfileUpdate) -> UserProfile:
    with users_repository() as repo:
        return profiles.update_profile(repo, current_principal(app), body, _now())


@app.get("/me/api-tokens", summary="Your personal API tokens", tags=[PROFILE], responses=problem_responses(401))
def my_tokens() -> ApiTokenList:
    with users_repository() as repo:
        return tokens.list_tokens(repo, current_principal(app).user_id)


@app.post(
    "/me/api-tokens",
    summary="Create a personal API token (shown once)",
    tags=[PROFILE],
    responses=problem_responses(401),
)
def create_token(body: ApiTokenCreate) -> Response[ApiTokenCreated]:
    principal, now = current_principal(app), _now()
    with users_repository() as repo:
        created = tokens.create_token(repo, principal.user_id, body, users_settings(), now)
        accounts.record_account_action(repo, "api_token_created", principal, source_ip(app), now)
    return json_response(created, HTTPStatus.CREATED)


@app.delete(
    "/me/api-tokens/<token_id>",
    summary="Revoke one of your API tokens",
    tags=[PROFILE],
    responses=problem_responses(401, 404),
)
def revoke_token(token_id: Annotated[str, Path(max_length=64)]) -> ApiToken:
    principal, now = current_principal(app), _now()
    with users_repository() as repo:
        revoked = tokens.revoke_token(repo, principal.user_id, token_id, now)
        accounts.record_account_action(repo, "api_token_revoked", principal, source_ip(app), now)
    return revoked


@app.get("/me/credentials", summary="Services you stored a token for", tags=[PROFILE], responses=problem_responses(401))
def my_credentials() -> StoredCredentialList:
    with users_repository() as repo:
        return credentials.list_credentials(repo, current_principal(app).user_id)


@app.put(
    "/me/credentials/<service_id>",
    summary="Store your token for a service (encrypted; never shown again)",
    tags=[PROFILE],
    responses=problem_responses(401),
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
    responses=problem_responses(401, 404),
)
def delete_credential(service_id: UUID) -> Response[None]:
    with users_repository() as repo:
        credentials.delete_credential(repo, current_principal(app), str(service_id), _now())
    return no_content()


# --- administration ---------------------------------------------------------------------------------


@app.get("/users", summary="Find users", tags=[ADMIN], responses=problem_responses(401, 403))
def find_users(
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> UserPage:
    with users_repository() as repo:
        return profiles.find_users(repo, q, limit, offset, _now())


@app.get("/users/<user_id>", summary="A user", tags=[ADMIN], responses=problem_responses(401, 403, 404))
def get_user(user_id: Annotated[str, Path(max_length=64)]) -> UserProfile:
    with users_repository() as repo:
        return profiles.profile(repo, user_id, _now())


@app.get(
    "/users/<user_id>/roles", summary="A user's role grants", tags=[ADMIN], responses=problem_responses(401, 403, 404)
)
def user_roles(user_id: Annotated[str, Path(max_length=64)]) -> RoleGrantList:
    with users_repository() as repo:
        return roles.list_roles(repo, user_id)


@app.post("/users/<user_id>/roles", summary="Grant a role", tags=[ADMIN], responses=problem_responses(401, 403, 404))
def grant_role(user_id: Annotated[str, Path(max_length=64)], body: RoleGrantCreate) -> Response[RoleGrant]:
    with users_repository() as repo:
        grant = roles.grant_role(repo, cognito_accounts(), user_id, body, current_principal(app), _now())
    return json_response(grant, HTTPStatus.CREATED)


@app.delete(
    "/users/<user_id>/roles/<grant_id>",
    summary="Revoke a role grant",
    tags=[ADMIN],
    responses=problem_responses(401, 403, 404),
)
def revoke_role(
    user_id: Annotated[str, Path(max_length=64)], grant_id: Annotated[str, Path(max_length=64)]
) -> RoleGrant:
    with users_repository() as repo:
        return roles.revoke_role(repo, cognito_accounts(), user_id, grant_id, current_principal(app), _now())


@app.get(
    "/audit-log",
    summary="Sign-ins and admin actions of every domain, newest first",
    tags=[ADMIN],
    responses=problem_responses(401, 403),
)
def audit_log(
    actor_id: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    domain: Annotated[str | None, Query(max_length=32)] = None,
    since: Annotated[datetime | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> AuditPage:
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    query = AuditQuery(actor_id=actor_id, action=action, domain=domain, since=since, limit=limit, offset=offset)
    with users_repository() as repo:
        return audit.find_audit(repo, query)


handler = api_handler(app, obs, DECLARATION)

"""Accounts for tests, made the way users make them: sign up, confirm with the emailed code, sign in
(with the authenticator app's code once two-factor sign-in is on)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import jwt

from fip_core.access import Role
from tests.support.api import invoke_api
from tests.support.cognito import SIGN_UP, CodeCheckingCognito, totp
from users.adapters import cognito as cognito_adapter
from users.domain import PRIVILEGED_ROLES

PASSWORD = "Correct-horse-42"
ANY_CODE = "123456"  # what plain moto accepts, where no code-checking double stands in front of it (bench)


@dataclass(frozen=True)
class Account:
    """A signed-in user."""

    user_id: str
    email: str
    access_token: str
    id_token: str
    refresh_token: str


def double() -> CodeCheckingCognito | None:
    """The code-checking Cognito the users domain talks to, if the tests put one in front of moto."""
    client = cognito_adapter.cognito_client()  # read now: the tests replace it
    return client if isinstance(client, CodeCheckingCognito) else None


def emailed_code(email: str, purpose: str = SIGN_UP) -> str:
    """The code Cognito emailed for a purpose (sign-up, or a password reset)."""
    cognito = double()
    return cognito.code_for(email, purpose) if cognito else ANY_CODE


def sign_up(email: str | None = None, password: str = PASSWORD, **profile: str) -> Account:
    """Sign up, confirm with the emailed code and sign in."""
    email = email or f"user-{uuid.uuid4().hex[:8]}@example.org"
    signed_up = invoke_api(
        "POST", "/auth/sign-up", body={"email": email, "password": password, **profile}, principal=None
    )
    assert signed_up.status == 202, signed_up.body
    confirmed = invoke_api("POST", "/auth/confirm", body={"email": email, "code": emailed_code(email)}, principal=None)
    assert confirmed.status == 200, confirmed.body
    return sign_in(email, password)


def sign_in(email: str, password: str) -> Account:
    """Tokens for an existing account, answering the authenticator app's code when asked for it."""
    answer = invoke_api("POST", "/auth/sign-in", body={"email": email, "password": password}, principal=None)
    if answer.status == 202 and answer.body["challenge"] == "SOFTWARE_TOKEN_MFA":
        cognito = double()
        assert cognito is not None, "two-factor sign-in needs the code-checking double"
        step = {"email": email, "session": answer.body["session"], "code": cognito.totp_code(email)}
        answer = invoke_api("POST", "/auth/sign-in/mfa", body=step, principal=None)
    assert answer.status == 200, answer.body
    body = answer.body
    user_id = jwt.decode(body["access_token"], options={"verify_signature": False})["sub"]
    return Account(user_id, email.lower(), body["access_token"], body["id_token"], body["refresh_token"])


def enrol_totp(account: Account) -> str:
    """Turn on two-factor sign-in for an account, as its user would with an authenticator app; the secret."""
    started = invoke_api("POST", "/me/mfa/totp", token=account.access_token)
    assert started.status == 200, started.body
    secret = str(started.body["secret"])
    cognito = double()
    code = totp(secret, cognito.now()) if cognito else ANY_CODE
    verified = invoke_api("POST", "/me/mfa/totp/verify", body={"code": code}, token=account.access_token)
    assert verified.status == 200, verified.body
    return secret


def grant(
    account: Account, role: Role, service_id: str | None = None, expires_at: str | None = None
) -> dict[str, object]:
    """Grant a role as an admin; an account without two-factor sign-in turns it on first when the role needs it."""
    if role in PRIVILEGED_ROLES and not invoke_api("GET", "/me/mfa", token=account.access_token).body["totp_enabled"]:
        enrol_totp(account)
    body: dict[str, object] = {"role": role.value}
    if service_id:
        body["service_id"] = service_id
    if expires_at:
        body["expires_at"] = expires_at
    answer = invoke_api("POST", f"/users/{account.user_id}/roles", body=body)
    assert answer.status == 201, answer.body
    return dict(answer.body)

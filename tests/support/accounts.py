"""Accounts for tests, made the way users make them: sign up, confirm, sign in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from fip_core.access import Role
from tests.support.api import invoke_api

PASSWORD = "Correct-horse-42"


@dataclass(frozen=True)
class Account:
    """A signed-in user."""

    user_id: str
    email: str
    access_token: str
    id_token: str
    refresh_token: str


def sign_up(email: str | None = None, password: str = PASSWORD, **profile: str) -> Account:
    """Sign up, confirm (moto accepts any code) and sign in."""
    email = email or f"user-{uuid.uuid4().hex[:8]}@example.org"
    signed_up = invoke_api(
        "POST", "/auth/sign-up", body={"email": email, "password": password, **profile}, principal=None
    )
    assert signed_up.status == 201, signed_up.body
    confirmed = invoke_api("POST", "/auth/confirm", body={"email": email, "code": "123456"}, principal=None)
    assert confirmed.status == 200, confirmed.body
    return sign_in(email, password, signed_up.body["user_id"])


def sign_in(email: str, password: str, user_id: str) -> Account:
    """Tokens for an existing account."""
    tokens = invoke_api("POST", "/auth/sign-in", body={"email": email, "password": password}, principal=None)
    assert tokens.status == 200, tokens.body
    body = tokens.body
    return Account(user_id, email, body["access_token"], body["id_token"], body["refresh_token"])


def grant(
    account: Account, role: Role, service_id: str | None = None, expires_at: str | None = None
) -> dict[str, object]:
    """Grant a role as an admin."""
    body: dict[str, object] = {"role": role.value}
    if service_id:
        body["service_id"] = service_id
    if expires_at:
        body["expires_at"] = expires_at
    answer = invoke_api("POST", f"/users/{account.user_id}/roles", body=body)
    assert answer.status == 201, answer.body
    return dict(answer.body)

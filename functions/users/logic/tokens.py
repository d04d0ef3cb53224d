"""Personal API tokens: random, prefixed, stored only as a hash, compared in constant time.

A token reads `fip_<id>_<secret>`: the id finds the row, the secret is checked against its
SHA-256. The secret has 256 bits of entropy, so a fast hash is as good as a slow one here.
Only a signed-in session makes tokens: a token cannot make more of itself."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from fip_core.access import Principal
from fip_core.problems import NotFoundError, UnprocessableError
from users.dal.repository import UsersRepository
from users.domain import StoredToken
from users.logic.callers import require_session
from users.logic.trail import record_user_action
from users.models.tokens import ApiToken, ApiTokenCreate, ApiTokenCreated, ApiTokenList
from users.settings import UsersSettings

PREFIX = "fip_"
_TOKEN = re.compile(r"^fip_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def is_api_token(text: str) -> bool:
    """Whether a bearer value looks like a personal API token rather than a JWT."""
    return text.startswith(PREFIX)


def as_token(token: StoredToken) -> ApiToken:
    """The API's shape of a token: never its secret or hash."""
    return ApiToken(
        id=token.id, name=token.name, prefix=f"{PREFIX}{token.id}", created_at=token.created_at,
        expires_at=token.expires_at, last_used_at=token.last_used_at, revoked_at=token.revoked_at,
    )  # fmt: skip


def create_token(
    repo: UsersRepository,
    principal: Principal,
    body: ApiTokenCreate,
    settings: UsersSettings,
    source_ip: str | None,
    now: datetime,
) -> ApiTokenCreated:
    """Make a token; the only time its secret is ever shown."""
    require_session(principal)
    days = body.expires_in_days or settings.api_token_default_days
    if days > settings.api_token_max_days:
        raise UnprocessableError(f"a token lives at most {settings.api_token_max_days} days; ask for fewer")
    token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    stored = repo.tokens.add(token_id, principal.user_id, body.name, _hash(secret), now + timedelta(days=days), now)
    record_user_action(repo, "api_token_created", principal, principal.user_id, now, source_ip=source_ip)
    return ApiTokenCreated(**as_token(stored).model_dump(), token=f"{PREFIX}{token_id}_{secret}")


def list_tokens(repo: UsersRepository, user_id: str) -> ApiTokenList:
    """The user's tokens, without their secrets."""
    return ApiTokenList(items=[as_token(token) for token in repo.tokens.of_user(user_id)])


def revoke_token(
    repo: UsersRepository, principal: Principal, token_id: str, source_ip: str | None, now: datetime
) -> ApiToken:
    """Revoke one of the caller's own tokens; another user's token reads as missing."""
    token = repo.tokens.revoke(principal.user_id, token_id, now)
    if token is None:
        raise NotFoundError(f"you have no API token {token_id}")
    record_user_action(repo, "api_token_revoked", principal, principal.user_id, now, source_ip=source_ip)
    return as_token(token)


def check_token(repo: UsersRepository, text: str, now: datetime) -> StoredToken | None:
    """The token if the text is a live token, else None."""
    found = _TOKEN.match(text)
    if not found:
        return None
    token = repo.tokens.get(found.group(1))
    expected = token.secret_hash if token else _hash("no such token")  # same work either way
    if not hmac.compare_digest(expected, _hash(found.group(2))) or token is None:
        return None
    if token.revoked_at is not None or token.expires_at <= now:
        return None
    return token

"""Personal API tokens: random, prefixed, stored only as a hash, compared in constant time.

A token reads `fip_<id>_<secret>`: the id finds the row, the secret is checked against its
SHA-256. The secret has 256 bits of entropy, so a fast hash is as good as a slow one here.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from fip_core.problems import NotFoundError, UnprocessableError
from users.dal.repository import TokenRecord, UsersRepository
from users.models.tokens import ApiToken, ApiTokenCreate, ApiTokenCreated, ApiTokenList
from users.settings import UsersSettings

PREFIX = "fip_"
_TOKEN = re.compile(r"^fip_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def is_api_token(text: str) -> bool:
    """Whether a bearer value looks like a personal API token rather than a JWT."""
    return text.startswith(PREFIX)


def create_token(
    repo: UsersRepository, user_id: str, body: ApiTokenCreate, settings: UsersSettings, now: datetime
) -> ApiTokenCreated:
    """Make a token; the only time its secret is ever shown."""
    days = body.expires_in_days or settings.api_token_default_days
    if days > settings.api_token_max_days:
        raise UnprocessableError(f"a token lives at most {settings.api_token_max_days} days; ask for fewer")
    token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    stored = repo.add_token(token_id, user_id, body.name, _hash(secret), now + timedelta(days=days), now)
    return ApiTokenCreated(**stored.model_dump(), token=f"{PREFIX}{token_id}_{secret}")


def list_tokens(repo: UsersRepository, user_id: str) -> ApiTokenList:
    """The user's tokens, without their secrets."""
    return ApiTokenList(items=repo.tokens(user_id))


def revoke_token(repo: UsersRepository, user_id: str, token_id: str, now: datetime) -> ApiToken:
    """Revoke one of the user's own tokens; another user's token reads as missing."""
    token = repo.revoke_token(user_id, token_id, now)
    if token is None:
        raise NotFoundError(f"you have no API token {token_id}")
    return token


def check_token(repo: UsersRepository, text: str, now: datetime) -> TokenRecord | None:
    """The token's record if the text is a live token, else None."""
    found = _TOKEN.match(text)
    if not found:
        return None
    record = repo.token_record(found.group(1))
    expected = record.secret_hash if record else _hash("no such token")  # same work either way
    if not hmac.compare_digest(expected, _hash(found.group(2))) or record is None:
        return None
    if record.revoked_at is not None or record.expires_at <= now:
        return None
    return record

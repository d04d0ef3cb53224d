"""Cognito tokens made in the tests with the key moto signs the pool's tokens with (it is public in
moto's sources), to give a token the claims a test needs: issued an hour ago, by another issuer..."""

from __future__ import annotations

import gzip
import json
import time
from importlib import resources
from typing import Any

import jwt
from jwt.algorithms import RSAAlgorithm

from users.settings import users_settings


def moto_signing_key() -> tuple[Any, str]:
    """The private key moto signs the pool's tokens with, and its key id."""
    raw = resources.files("moto.cognitoidp").joinpath("resources/jwks-private.json.gz").read_bytes()
    document = json.loads(gzip.decompress(raw))
    jwk = document["keys"][0] if "keys" in document else document
    return RSAAlgorithm.from_jwk(json.dumps(jwk)), str(jwk["kid"])


def forge(claims: dict[str, Any], *, key: Any = None, kid: str | None = None, algorithm: str = "RS256") -> str:
    """A JWT with these claims, signed with the pool's key unless told otherwise."""
    signing_key, moto_kid = moto_signing_key()
    return jwt.encode(claims, key or signing_key, algorithm=algorithm, headers={"kid": kid or moto_kid})


def access_claims(user_id: str, issued_seconds_ago: int = 0) -> dict[str, Any]:
    """The claims of an access token the pool issued to the platform's app client for a user."""
    settings = users_settings()
    issued = int(time.time()) - issued_seconds_ago
    return {
        "iss": settings.issuer, "sub": user_id, "client_id": settings.client_id, "token_use": "access",
        "iat": issued, "auth_time": issued, "exp": issued + 3600, "username": user_id,
    }  # fmt: skip


def access_token_issued_earlier(user_id: str, seconds: int = 600) -> str:
    """A valid access token of the user, issued `seconds` ago (before a sign-out the test makes now)."""
    return forge(access_claims(user_id, issued_seconds_ago=seconds))

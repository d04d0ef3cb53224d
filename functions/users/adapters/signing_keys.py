"""Verifying Cognito JWTs against the pool's published signing keys (JWKS).

Only RS256 is accepted, so `alg: none` and HMAC-with-the-public-key forgeries fail; a key id that
is not in the pool's JWKS fails; issuer, expiry, token use and the app client are all checked.
"""

from __future__ import annotations

from typing import Any

import jwt

from users.logic.ports import InvalidTokenError
from users.settings import UsersSettings

ALGORITHMS = ["RS256"]
LEEWAY_SECONDS = 30  # clock skew between Cognito and Lambda


class CognitoTokenVerifier:
    """Checks access and ID tokens of one user pool and app client; keys cached per container."""

    def __init__(self, settings: UsersSettings) -> None:
        self.settings = settings
        self._keys = jwt.PyJWKClient(settings.signing_keys_url, cache_keys=True, lifespan=3600, timeout=5)

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims, or InvalidTokenError saying why not."""
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") not in ALGORITHMS:
                raise InvalidTokenError(f"algorithm {header.get('alg')!r} is not accepted")
            key = self._keys.get_signing_key_from_jwt(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=ALGORITHMS,
                issuer=self.settings.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "sub", "token_use"], "verify_aud": False},
            )
        except jwt.PyJWKClientConnectionError as error:
            raise InvalidTokenError(f"the pool's signing keys could not be fetched: {error}") from error
        except (jwt.PyJWTError, ValueError) as error:
            raise InvalidTokenError(str(error)) from error
        token_use = claims.get("token_use")
        if token_use == "access":  # noqa: S105 - a claim value, not a password
            if claims.get("client_id") != self.settings.client_id:
                raise InvalidTokenError("the access token was issued to another app client")
        elif token_use == "id":  # noqa: S105 - a claim value, not a password
            audience = claims.get("aud")
            if audience != self.settings.client_id and not (
                isinstance(audience, list) and self.settings.client_id in audience
            ):
                raise InvalidTokenError("the ID token was issued to another audience")
        else:
            raise InvalidTokenError(f"token_use {token_use!r} is neither access nor id")
        return claims

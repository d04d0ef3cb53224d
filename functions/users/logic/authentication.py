"""The authorizer's decision: who a bearer token belongs to and which roles they hold now."""

from __future__ import annotations

from datetime import datetime

from fip_core.access import Principal
from users.adapters.signing_keys import CognitoTokenVerifier, InvalidTokenError
from users.dal.repository import UsersRepository
from users.logic.tokens import check_token, is_api_token

ACTIVE = "active"


class Authenticator:
    """Turns `Authorization` header values into principals.

    Decisions are not remembered here: API Gateway caches them per token for the authorizer's TTL,
    which bounds how long a revoked token or role keeps working. The pool's signing keys are cached
    by the verifier for the life of the container.
    """

    def __init__(self, verifier: CognitoTokenVerifier) -> None:
        self.verifier = verifier

    def principal(self, repo: UsersRepository, authorization: str | None, now: datetime) -> Principal | None:
        """The principal of a `Bearer <token>` header value, or None if it proves nobody."""
        token = bearer_token(authorization)
        if token is None:
            return None
        if is_api_token(token):
            record = check_token(repo, token, now)
            if record is None:
                return None
            repo.token_used(record.id, now)
            user_id, method, token_id = record.user_id, "api_token", record.id
        else:
            try:
                claims = self.verifier.verify(token)
            except InvalidTokenError:
                return None
            user_id, method, token_id = str(claims["sub"]), "cognito", None
        account = repo.user_status(user_id)
        if account is None or account[0] != ACTIVE:
            return None
        grants = repo.active_grants(user_id, now)
        return Principal(user_id=user_id, email=account[1], method=method, token_id=token_id, grants=grants)


def bearer_token(authorization: str | None) -> str | None:
    """The token of a `Bearer <token>` header value, or None when it is not one."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 8192:
        return None
    return token

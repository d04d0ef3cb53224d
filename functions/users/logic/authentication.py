"""The authorizer's decision: who a bearer token belongs to and which roles they hold now.

A token proves nobody when its account is not active (unconfirmed, or disabled by an admin), and
a Cognito token proves nobody when it was issued before the account last signed out everywhere
(a sign-out, a new password, a disabling): Cognito itself would let it live until it expires. The
admin and service_admin roles count only while the account signs in with an authenticator app;
otherwise they are held back, and the principal says why."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from fip_core.access import Grant, Principal
from fip_core.problems import DomainError
from users.domain import PRIVILEGED_ROLES, StoredGrant, User, UserStatus
from users.logic.ports import AccountLookup, Clock, InvalidTokenError, TokenVerifier, Transactions
from users.logic.tokens import check_token, is_api_token

log = logging.getLogger(__name__)

HELD_BACK_WITHOUT_MFA = (
    "Your admin and service_admin roles count only while you sign in with an authenticator app: turn it on with "
    "POST /me/mfa/totp and POST /me/mfa/totp/verify (it takes effect within a minute)"
)
HELD_BACK_UNCHECKED = (
    "Your admin and service_admin roles are held back because your second factor could not be checked just now; "
    "try again in a minute"
)


@dataclass(frozen=True)
class _Caller:
    user: User
    method: str
    token_id: str | None
    grants: list[StoredGrant]


class Authenticator:
    """Turns `Authorization` header values into principals.

    Decisions are not remembered here: API Gateway caches them per token for the authorizer's TTL,
    which bounds how long a revoked token, a disabled account or a revoked role keeps working. The
    pool's signing keys are cached by the verifier for the life of the container."""

    def __init__(self, store: Transactions, verifier: TokenVerifier, accounts: AccountLookup, clock: Clock) -> None:
        self.store = store
        self.verifier = verifier
        self.accounts = accounts
        self.clock = clock

    def principal(self, authorization: str | None) -> Principal | None:
        """The principal of a `Bearer <token>` header value, or None if it proves nobody."""
        token = bearer_token(authorization)
        if token is None:
            return None
        caller = self._caller(token, self.clock())
        if caller is None:
            return None
        grants, held_back = caller.grants, None
        if any(grant.role in PRIVILEGED_ROLES for grant in grants):
            # outside the transaction: the database is not held open while Cognito answers
            held_back = self._second_factor_missing(caller.user)
            if held_back is not None:
                grants = [grant for grant in grants if grant.role not in PRIVILEGED_ROLES]
        return Principal(
            user_id=caller.user.id,
            email=caller.user.email,
            method="api_token" if caller.method == "api_token" else "cognito",
            token_id=caller.token_id,
            grants=[Grant(role=g.role, service_id=g.service_id, expires_at=g.expires_at) for g in grants],
            held_back=held_back,
        )

    def _caller(self, token: str, now: datetime) -> _Caller | None:
        claims = None
        if not is_api_token(token):
            try:
                claims = self.verifier.verify(token)
            except InvalidTokenError:
                return None
        with self.store.transaction() as repo:
            if claims is None:
                stored = check_token(repo, token, now)
                if stored is None:
                    return None
                repo.tokens.mark_used(stored.id, now)
                user_id, method, token_id = stored.user_id, "api_token", stored.id
            else:
                user_id, method, token_id = str(claims["sub"]), "cognito", None
            user = repo.users.get(user_id)
            if user is None or user.status is not UserStatus.ACTIVE:
                return None
            if claims is not None and _issued_before_sign_out(claims, user):
                return None
            return _Caller(user, method, token_id, repo.grants.in_force([user_id], now)[user_id])

    def _second_factor_missing(self, user: User) -> str | None:
        try:
            record = self.accounts.account(user.email)
        except DomainError:
            log.warning("the second factor of a privileged account could not be checked; its roles are held back")
            return HELD_BACK_UNCHECKED
        return None if record is not None and record.totp_enabled else HELD_BACK_WITHOUT_MFA


def _issued_before_sign_out(claims: dict[str, object], user: User) -> bool:
    """Whether a Cognito token was issued before the account last signed out everywhere.

    `iat` counts whole seconds, so a token issued in the very second of the sign-out (before or after
    it) is let through: refusing it would refuse the fresh sign-in that often follows at once."""
    if user.sessions_revoked_at is None:
        return False
    issued_at = claims.get("iat")
    return not isinstance(issued_at, int) or issued_at < int(user.sessions_revoked_at.timestamp())


def bearer_token(authorization: str | None) -> str | None:
    """The token of a `Bearer <token>` header value, or None when it is not one."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 8192:
        return None
    return token

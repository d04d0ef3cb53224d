"""Two-factor sign-in with an authenticator app (TOTP, RFC 6238), enrolled through Cognito's software
tokens on the user's own session. Admins and service admins must have it: their roles are granted
only to accounts that use it and held back by the authorizer while it is off, and an account that
holds one of them cannot turn it off."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from fip_core.access import Principal
from fip_core.problems import ConflictError, NotFoundError
from users.domain import PRIVILEGED_ROLES
from users.logic.callers import require_session
from users.logic.ports import Clock, Directory, SoftwareTokens, Transactions
from users.logic.trail import record_user_action
from users.models.mfa import MfaStatus, TotpEnrolment, TotpVerification

ENROL = "add the secret to an authenticator app, then send one of its codes to /me/mfa/totp/verify"
ON = "sign-in asks for the code of your authenticator app"
OFF = "sign-in asks for your password only"
NEEDED = "your roles need it: turn it on with POST /me/mfa/totp"
KEEP_IT = "the admin and service_admin roles need two-factor sign-in: ask an admin to revoke them first"


def mfa_status(store: Transactions, directory: Directory, principal: Principal, clock: Clock) -> MfaStatus:
    """Whether the caller signs in with an authenticator app, and whether their roles need it."""
    email, required = _account(store, principal, clock)
    record = directory.account(email)
    enabled = bool(record and record.totp_enabled)
    return MfaStatus(totp_enabled=enabled, required=required, message=ON if enabled else NEEDED if required else OFF)


def start_totp(tokens: SoftwareTokens, principal: Principal, access_token: str, issuer: str) -> TotpEnrolment:
    """A new secret for the caller's authenticator app; nothing changes until a code is verified."""
    require_session(principal)
    secret = tokens.start_totp(access_token)
    label = quote(f"{issuer}:{principal.email or principal.user_id}")
    uri = f"otpauth://totp/{label}?{urlencode({'secret': secret, 'issuer': issuer})}"
    return TotpEnrolment(secret=secret, otpauth_uri=uri, message=ENROL)


def verify_totp(
    store: Transactions,
    tokens: SoftwareTokens,
    principal: Principal,
    access_token: str,
    body: TotpVerification,
    source_ip: str | None,
    clock: Clock,
) -> MfaStatus:
    """Register the app when its code matches, and ask for its code at every sign-in from now on."""
    require_session(principal)
    tokens.verify_totp(access_token, body.code, body.device_name)
    tokens.use_totp(access_token, enabled=True)
    _, required = _account(store, principal, clock)
    with store.transaction() as repo:
        record_user_action(repo, "mfa_enabled", principal, principal.user_id, clock(), source_ip=source_ip)
    return MfaStatus(totp_enabled=True, required=required, message=ON)


def turn_off(
    store: Transactions,
    tokens: SoftwareTokens,
    principal: Principal,
    access_token: str,
    source_ip: str | None,
    clock: Clock,
) -> MfaStatus:
    """Stop asking for the app's code; refused while the caller holds a role that needs it."""
    require_session(principal)
    _, required = _account(store, principal, clock)
    if required:
        raise ConflictError(KEEP_IT)
    tokens.use_totp(access_token, enabled=False)
    with store.transaction() as repo:
        record_user_action(repo, "mfa_disabled", principal, principal.user_id, clock(), source_ip=source_ip)
    return MfaStatus(totp_enabled=False, required=False, message=OFF)


def _account(store: Transactions, principal: Principal, clock: Clock) -> tuple[str, bool]:
    # the caller's email, and whether a grant in force needs two-factor sign-in (revoked or expired ones do not)
    with store.transaction() as repo:
        user = repo.users.get(principal.user_id)
        if user is None:
            raise NotFoundError(f"no user {principal.user_id}")
        grants = repo.grants.in_force([user.id], clock())[user.id]
    return user.email, any(grant.role in PRIVILEGED_ROLES for grant in grants)

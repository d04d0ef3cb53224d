"""Routes of one's own second factor: an authenticator app (TOTP) turned on, checked and off."""

from __future__ import annotations

from fip_core.http import answers, current_principal, route_group, source_ip
from users.adapters.clock import system_clock
from users.adapters.cognito import cognito_accounts
from users.handlers.routes import common
from users.handlers.routes.common import (
    PROFILE,
    access_token,
)
from users.logic import mfa
from users.models.mfa import MfaStatus, TotpEnrolment, TotpVerification
from users.settings import users_settings

router = route_group()


@router.get(
    "/me/mfa",
    summary="Whether you sign in with an authenticator app",
    tags=[PROFILE],
    responses=answers(200, MfaStatus, 401, 404),
)
def my_mfa() -> MfaStatus:
    return mfa.mfa_status(common.STORE, cognito_accounts(), current_principal(router), system_clock)


@router.post(
    "/me/mfa/totp",
    summary="Start two-factor sign-in: a secret for your authenticator app",
    tags=[PROFILE],
    responses=answers(200, TotpEnrolment, 401, 403),
)
def start_totp() -> TotpEnrolment:
    return mfa.start_totp(
        cognito_accounts(), current_principal(router), access_token(router), users_settings().totp_issuer
    )


@router.post(
    "/me/mfa/totp/verify",
    summary="Finish two-factor sign-in with a code of the app",
    tags=[PROFILE],
    responses=answers(200, MfaStatus, 401, 403, 409),
)
def verify_totp(body: TotpVerification) -> MfaStatus:
    return mfa.verify_totp(
        common.STORE,
        cognito_accounts(),
        current_principal(router),
        access_token(router),
        body,
        source_ip(router),
        system_clock,
    )


@router.delete(
    "/me/mfa",
    summary="Stop two-factor sign-in (refused while you hold a role that needs it)",
    tags=[PROFILE],
    responses=answers(200, MfaStatus, 401, 403, 404, 409),
)
def turn_off_mfa() -> MfaStatus:
    return mfa.turn_off(
        common.STORE,
        cognito_accounts(),
        current_principal(router),
        access_token(router),
        source_ip(router),
        system_clock,
    )

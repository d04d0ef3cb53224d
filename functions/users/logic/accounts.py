"""Signing up, confirming, signing in and out, and passwords, over the Cognito pool."""

from __future__ import annotations

from datetime import datetime

from fip_core.access import Principal, Role
from fip_core.audit import audit_record
from fip_core.platform_events import UserRegistered
from fip_core.problems import UnprocessableError
from users.adapters.cognito import CognitoAccounts, SessionTokens
from users.dal.repository import UsersRepository
from users.logic.authentication import ACTIVE
from users.logic.roles import add_grant
from users.models.accounts import Accepted, ConfirmSignUp, EmailOnly, SignedUp, SignUp, Tokens
from users.settings import DOMAIN

UNCONFIRMED = "unconfirmed"


def sign_up(
    repo: UsersRepository,
    accounts: CognitoAccounts,
    body: SignUp,
    default_role: Role,
    source_ip: str | None,
    now: datetime,
) -> SignedUp:
    """Create an account in the pool and its profile here; Cognito emails a confirmation code."""
    user_id, confirmed = accounts.sign_up(body.email, body.password.get_secret_value(), body.name)
    profile = body.model_dump(include={"name", "institution", "department", "country"})
    repo.add_user(user_id, body.email, profile, ACTIVE if confirmed else UNCONFIRMED, now)
    if confirmed:
        _welcome(repo, accounts, user_id, body.email, default_role, now)
    repo.audit(audit_record(DOMAIN, "sign_up", None, now, target_type="user", target_id=user_id, source_ip=source_ip))
    message = "signed up" if confirmed else "check your email for the confirmation code, then confirm it"
    return SignedUp(user_id=user_id, email=body.email, confirmed=confirmed, message=message)


def confirm_sign_up(
    repo: UsersRepository,
    accounts: CognitoAccounts,
    body: ConfirmSignUp,
    default_role: Role,
    source_ip: str | None,
    now: datetime,
) -> Accepted:
    """Confirm the email address; the account becomes active with the default role."""
    accounts.confirm_sign_up(body.email, body.code)
    account = repo.account_by_email(body.email)
    if account is None:
        raise UnprocessableError("no account waits for confirmation with this email; sign up first")
    user_id, status = account
    if status == UNCONFIRMED:
        repo.update_user(user_id, {"status": ACTIVE}, now)
        _welcome(repo, accounts, user_id, body.email, default_role, now)
        repo.audit(
            audit_record(
                DOMAIN, "email_confirmed", None, now, target_type="user", target_id=user_id, source_ip=source_ip
            )
        )
    return Accepted(message="email confirmed; sign in now")


def _welcome(
    repo: UsersRepository, accounts: CognitoAccounts, user_id: str, email: str, role: Role, now: datetime
) -> None:
    add_grant(repo, accounts, user_id, email, role, now)
    repo.add_event(UserRegistered(user_id=user_id, email=email, registered_at=now), now)


def resend_code(accounts: CognitoAccounts, body: EmailOnly) -> Accepted:
    """Email the confirmation code again."""
    accounts.resend_code(body.email)
    return Accepted(message="if an unconfirmed account has this email, a new code is on its way")


def as_tokens(session: SessionTokens) -> Tokens:
    """The API's shape of a Cognito session."""
    return Tokens(
        access_token=session.access_token,
        id_token=session.id_token,
        refresh_token=session.refresh_token,
        expires_in=session.expires_in,
    )


def record_sign_in(repo: UsersRepository, email: str, succeeded: bool, source_ip: str | None, now: datetime) -> None:
    """Audit a sign-in attempt, successful or not, without the password."""
    user_id = repo.user_id_by_email(email)
    actor = Principal(user_id=user_id, email=email, method="cognito") if user_id else None
    repo.audit(
        audit_record(
            DOMAIN, "sign_in", actor, now, target_type="user", target_id=user_id, source_ip=source_ip,
            outcome="success" if succeeded else "failure", details={} if user_id else {"email": email},
        )
    )  # fmt: skip


def record_account_action(
    repo: UsersRepository,
    action: str,
    principal: Principal | None,
    source_ip: str | None,
    now: datetime,
    email: str | None = None,
) -> None:
    """Audit an action on one's own account: signing out, a password changed or reset, an API token made or revoked."""
    user_id = principal.user_id if principal else (repo.user_id_by_email(email) if email else None)
    repo.audit(audit_record(DOMAIN, action, principal, now, target_type="user", target_id=user_id, source_ip=source_ip))

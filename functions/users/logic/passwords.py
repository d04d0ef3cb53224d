"""Forgetting, resetting and changing a password. A new password ends everything the old one
could have given somebody else: every Cognito session (refresh tokens, and for the authorizer every
token issued before) and every personal API token of the account."""

from __future__ import annotations

from fip_core.access import Principal
from fip_core.problems import UnavailableError
from users.logic.callers import require_session
from users.logic.ports import Clock, Directory, Passwords, Transactions
from users.logic.trail import record_user_action
from users.models.accounts import Accepted, ChangePassword, EmailOnly, ResetPassword

FORGOT_ANSWER = "if an account has this email, a reset code is on its way"
CHANGED_ANSWER = "password changed; every session and API token of the account was ended: sign in again"
NOT_ALL_ENDED = (
    "the password was changed, but not every session or API token could be ended: sign in with the new password "
    "and change it once more"
)


def forgot_password(
    store: Transactions, passwords: Passwords, body: EmailOnly, source_ip: str | None, clock: Clock
) -> Accepted:
    """Email a reset code (Cognito says nothing for an unknown email, and neither does this)."""
    passwords.forgot_password(body.email)
    now = clock()
    with store.transaction() as repo:
        user = repo.users.by_email(body.email)
        record_user_action(repo, "password_reset_requested", None, user.id if user else None, now, source_ip=source_ip)
    return Accepted(message=FORGOT_ANSWER)


def reset_password(
    store: Transactions,
    passwords: Passwords,
    directory: Directory,
    body: ResetPassword,
    source_ip: str | None,
    clock: Clock,
) -> Accepted:
    """Set a new password with the emailed code, then end every session and API token."""
    passwords.reset_password(body.email, body.code, body.new_password.get_secret_value())
    end_everything(store, directory, body.email, None, "password_reset", source_ip, clock)
    return Accepted(message=CHANGED_ANSWER)


def change_password(
    store: Transactions,
    passwords: Passwords,
    directory: Directory,
    principal: Principal,
    access_token: str,
    body: ChangePassword,
    source_ip: str | None,
    clock: Clock,
) -> Accepted:
    """Change the signed-in caller's password, then end every session and API token (this one too)."""
    require_session(principal)
    passwords.change_password(
        access_token, body.current_password.get_secret_value(), body.new_password.get_secret_value()
    )
    with store.transaction() as repo:
        user = repo.users.get(principal.user_id)
    end_everything(
        store, directory, user.email if user else principal.email or "", principal, "password_changed", source_ip, clock
    )
    return Accepted(message=CHANGED_ANSWER)


def end_everything(
    store: Transactions,
    directory: Directory,
    email: str,
    actor: Principal | None,
    action: str,
    source_ip: str | None,
    clock: Clock,
) -> None:
    """After a new password: sign the account out of Cognito everywhere, refuse its older tokens and
    revoke its API tokens, and audit `action`. The password is changed already, so a failure here
    says what the user can do rather than pretending nothing happened."""
    try:
        directory.sign_out(email)
        now = clock()
        with store.transaction() as repo:
            user = repo.users.by_email(email)
            revoked = 0
            if user is not None:
                repo.users.revoke_sessions(user.id, now)
                revoked = repo.tokens.revoke_all(user.id, now)
            record_user_action(
                repo, action, actor, user.id if user else None, now, source_ip=source_ip,
                details={"api_tokens_revoked": revoked},
            )  # fmt: skip
    except Exception as error:
        raise UnavailableError(NOT_ALL_ENDED) from error

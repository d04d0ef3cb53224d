"""Signing up and confirming the email address, over the Cognito pool.

Sign-up and resend-code answer the same, with the same fixed message, whether the email has an
account or not. Cognito is called first and the database after, outside any transaction; when the
database fails in between, the account exists in the pool without a profile here, and confirming
(or signing in) makes the profile from Cognito's own record instead of locking the account out."""

from __future__ import annotations

import logging
from datetime import datetime

from fip_core.access import Role
from fip_core.platform_events import UserRegistered
from fip_core.problems import UnavailableError, UnprocessableError
from fip_core.repository import DuplicateError
from users.domain import NewProfile, User, UserStatus
from users.logic.ports import Clock, Directory, Registration, Transactions
from users.logic.roles import mirror_group
from users.logic.trail import record_user_action
from users.models.accounts import Accepted, ConfirmSignUp, EmailOnly, SignUp

log = logging.getLogger(__name__)

SIGN_UP_ANSWER = (
    "if this address can sign up, a confirmation code is on its way: send it to /auth/confirm. An address that "
    "has an account already gets no new account: sign in, or reset the password"
)
RESEND_ANSWER = "if an account waits for confirmation with this address, a new code is on its way"
CONFIRMED_ANSWER = "email confirmed; sign in now"
PROFILE_NOT_SAVED = "your email is confirmed, but your profile could not be saved just now: sign in, which finishes it"


def sign_up(
    store: Transactions,
    registration: Registration,
    body: SignUp,
    source_ip: str | None,
    clock: Clock,
) -> Accepted:
    """Create an account in the pool (Cognito emails a code) and its profile here."""
    user_id = registration.sign_up(body.email, body.password.get_secret_value(), body.name)
    if user_id is None:
        # the email has an account: a half-finished sign-up gets its code again, anybody else learns nothing
        registration.resend_code(body.email)
        return Accepted(message=SIGN_UP_ANSWER)
    profile = NewProfile(name=body.name, institution=body.institution, department=body.department, country=body.country)
    now = clock()
    try:
        with store.transaction() as repo:
            repo.users.add(user_id, body.email, profile, UserStatus.UNCONFIRMED, now)
            record_user_action(repo, "sign_up", None, user_id, now, source_ip=source_ip)
    except Exception:
        # the account exists in the pool and its code is on its way: confirming makes the profile
        log.exception("sign-up: the profile was not stored; confirming the email will make it from Cognito's record")
    return Accepted(message=SIGN_UP_ANSWER)


def resend_code(registration: Registration, body: EmailOnly) -> Accepted:
    """Email the confirmation code again."""
    registration.resend_code(body.email)
    return Accepted(message=RESEND_ANSWER)


def confirm_sign_up(
    store: Transactions,
    registration: Registration,
    directory: Directory,
    body: ConfirmSignUp,
    default_role: Role,
    source_ip: str | None,
    clock: Clock,
) -> Accepted:
    """Confirm the email address; the account becomes active with the default role."""
    registration.confirm_sign_up(body.email, body.code)
    try:
        activated = activate_profile(store, directory, body.email, default_role, source_ip, clock())
    except Exception as error:
        # Cognito has confirmed the address: signing in finishes what is missing here
        raise UnavailableError(PROFILE_NOT_SAVED) from error
    if activated is None:
        raise UnprocessableError("no account waits for confirmation with this email; sign up first")
    return Accepted(message=CONFIRMED_ANSWER)


def activate_profile(
    store: Transactions, directory: Directory, email: str, default_role: Role, source_ip: str | None, now: datetime
) -> User | None:
    """The profile of an account Cognito has confirmed, made active with the default role (and
    `UserRegistered` announced) if it was still unconfirmed, or made from Cognito's record if it is
    missing. None when neither the database nor Cognito knows the email."""
    with store.transaction() as repo:
        user = repo.users.by_email(email)
    if user is not None and user.status is not UserStatus.UNCONFIRMED:
        return user  # active, or disabled by an admin: nothing to repair
    record = directory.account(email) if user is None else None
    if user is None and (record is None or not record.confirmed):
        return None
    try:
        with store.transaction() as repo:
            if record is not None:  # no profile: made from Cognito's record
                made = repo.users.add(record.user_id, email, NewProfile(name=record.name), UserStatus.ACTIVE, now)
                action = "profile_repaired"
            elif user is not None and (confirmed := repo.users.confirm(user.id, now)) is not None:
                made, action = confirmed, "email_confirmed"
            else:
                return repo.users.by_email(email)  # another request confirmed it meanwhile
            repo.grants.add(made.id, default_role, None, None, None, now)
            repo.add_event(UserRegistered(user_id=made.id, email=email, registered_at=now), now)
            record_user_action(repo, action, None, made.id, now, source_ip=source_ip)
    except DuplicateError:
        # another request made the missing profile meanwhile
        with store.transaction() as repo:
            return repo.users.by_email(email)
    mirror_group(directory, email, default_role, member=True)
    return made

"""Signing in (with the steps Cognito may ask for first), refreshing, and signing out everywhere.

Every attempt is audited, successful or not, without its password or code. A sign-in that
succeeds also puts right a profile a failure left unconfirmed or missing (see
`registration.activate_profile`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fip_core.access import Principal, Role
from fip_core.problems import DomainError, UnavailableError
from users.domain import Challenge
from users.logic.ports import Clock, Directory, SessionTokens, SignIn, SignInStep, Transactions
from users.logic.registration import activate_profile
from users.logic.trail import record_user_action
from users.models.accounts import NewPasswordSignIn, SignInChallenge, Tokens, TotpSignIn
from users.models.accounts import SignIn as SignInBody

NEXT_STEP = {
    Challenge.TOTP: "enter the current code of your authenticator app: send it with this session to "
    "/auth/sign-in/mfa within 3 minutes",
    Challenge.NEW_PASSWORD: "this account has a temporary password: choose your own and send it with this session "
    "to /auth/sign-in/new-password within 3 minutes",
}


class SignInFlow:
    """Sign-in and its second steps, over the pool, recording each outcome in the audit log."""

    def __init__(
        self, store: Transactions, sessions: SignIn, directory: Directory, default_role: Role, clock: Clock
    ) -> None:
        self.store = store
        self.sessions = sessions
        self.directory = directory
        self.default_role = default_role
        self.clock = clock

    def password(self, body: SignInBody, source_ip: str | None) -> Tokens | SignInChallenge:
        """Tokens for an email and password, or the step to take first."""
        return self._attempt(
            body.email, source_ip, None, lambda: self.sessions.sign_in(body.email, body.password.get_secret_value())
        )

    def totp(self, body: TotpSignIn, source_ip: str | None) -> Tokens | SignInChallenge:
        """Tokens for the authenticator app's code."""
        session = body.session.get_secret_value()
        return self._attempt(
            body.email, source_ip, Challenge.TOTP, lambda: self.sessions.answer_totp(body.email, session, body.code)
        )

    def new_password(self, body: NewPasswordSignIn, source_ip: str | None) -> Tokens | SignInChallenge:
        """Tokens once an account made with a temporary password has set its own."""
        session, password = body.session.get_secret_value(), body.new_password.get_secret_value()
        return self._attempt(
            body.email,
            source_ip,
            Challenge.NEW_PASSWORD,
            lambda: self.sessions.set_new_password(body.email, session, password),
        )

    def _attempt(
        self,
        email: str,
        source_ip: str | None,
        step: Challenge | None,
        call: Callable[[], SessionTokens | SignInStep],
    ) -> Tokens | SignInChallenge:
        try:
            result = call()
        except DomainError:
            self._record(email, False, source_ip, step)
            raise
        if isinstance(result, SignInStep):
            return SignInChallenge(
                challenge=result.challenge, session=result.session, message=NEXT_STEP[result.challenge]
            )
        try:
            activate_profile(self.store, self.directory, email, self.default_role, source_ip, self.clock())
        except Exception as error:
            raise UnavailableError("signing in could not be finished just now; sign in again") from error
        self._record(email, True, source_ip, step)
        return as_tokens(result)

    def _record(self, email: str, succeeded: bool, source_ip: str | None, step: Challenge | None) -> None:
        now = self.clock()
        with self.store.transaction() as repo:
            user = repo.users.by_email(email)
            actor = Principal(user_id=user.id, email=email, method="cognito") if user else None
            details: dict[str, str] = {} if user else {"email": email}
            if step is not None:
                details["step"] = step.value
            record_user_action(
                repo, "sign_in", actor, user.id if user else None, now, source_ip=source_ip,
                outcome="success" if succeeded else "failure", details=details,
            )  # fmt: skip


def as_tokens(session: SessionTokens) -> Tokens:
    """The API's shape of a Cognito session."""
    return Tokens(
        access_token=session.access_token,
        id_token=session.id_token,
        refresh_token=session.refresh_token,
        expires_in=session.expires_in,
    )


def sign_out(
    store: Transactions, directory: Directory, principal: Principal, source_ip: str | None, now: datetime
) -> None:
    """End every session of the caller: Cognito refuses their refresh tokens, and the authorizer every
    token issued before now (Cognito would let access tokens live until they expire)."""
    with store.transaction() as repo:
        user = repo.users.get(principal.user_id)
    if user is not None:
        directory.sign_out(user.email)
    with store.transaction() as repo:
        repo.users.revoke_sessions(principal.user_id, now)
        record_user_action(repo, "sign_out", principal, principal.user_id, now, source_ip=source_ip)

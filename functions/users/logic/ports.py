"""What the users logic needs from the outside, as small protocols: the identity provider (Cognito,
`users.adapters.cognito`), the cipher (KMS, `users.adapters.kms`), the clock and the transactions.
Logic is handed these; it imports no adapter, so tests hand it fakes that raise the real errors.

Every method raises the domain's errors (`fip_core.problems`), never the SDK's."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from users.dal.repository import UsersRepository
from users.domain import Challenge

Clock = Callable[[], datetime]
"""The current moment, with a time zone."""


class Transactions(Protocol):
    """Units of work over the users database (`users.dal.unit_of_work.STORE`)."""

    def transaction(self) -> AbstractContextManager[UsersRepository]:
        """A repository over one transaction, committed when the block ends without error."""
        ...


@dataclass(frozen=True)
class SessionTokens:
    """What a completed sign-in or a refresh gives."""

    access_token: str
    id_token: str
    refresh_token: str | None
    expires_in: int


@dataclass(frozen=True)
class SignInStep:
    """Sign-in needs one more step, answered with this session (Cognito's, valid for 3 minutes)."""

    challenge: Challenge
    session: str


@dataclass(frozen=True)
class IdentityRecord:
    """The identity provider's own record of an account."""

    user_id: str  # the `sub` every token carries
    email: str
    name: str | None
    confirmed: bool
    enabled: bool
    totp_enabled: bool


class Registration(Protocol):
    """Creating and confirming accounts."""

    def sign_up(self, email: str, password: str, name: str | None) -> str | None:
        """Create an unconfirmed account and email it a code; its user id, or None if the email is taken."""
        ...

    def confirm_sign_up(self, email: str, code: str) -> None:
        """Confirm an account with the emailed code."""
        ...

    def resend_code(self, email: str) -> None:
        """Email the confirmation code again; silently nothing when there is nothing to confirm."""
        ...


class SignIn(Protocol):
    """Getting, refreshing and ending sessions."""

    def sign_in(self, email: str, password: str) -> SessionTokens | SignInStep:
        """Tokens for an email and password, or the step to take first."""
        ...

    def answer_totp(self, email: str, session: str, code: str) -> SessionTokens | SignInStep:
        """Tokens for the authenticator app's code of a sign-in that asked for it."""
        ...

    def set_new_password(self, email: str, session: str, new_password: str) -> SessionTokens | SignInStep:
        """Tokens once an account made with a temporary password has set its own."""
        ...

    def refresh(self, refresh_token: str) -> SessionTokens:
        """New access and ID tokens for a refresh token."""
        ...

    def sign_out(self, email: str) -> None:
        """End every session of the account: its refresh tokens stop working."""
        ...


class Passwords(Protocol):
    """Forgetting, resetting and changing passwords."""

    def forgot_password(self, email: str) -> None:
        """Email a reset code; silently nothing for an unknown email."""
        ...

    def reset_password(self, email: str, code: str, new_password: str) -> None:
        """Set a new password with the emailed code."""
        ...

    def change_password(self, access_token: str, current: str, new: str) -> None:
        """Change the password of the signed-in user."""
        ...


class Directory(Protocol):
    """What an administrator (or the platform on their behalf) reads and does to accounts."""

    def account(self, email: str) -> IdentityRecord | None:
        """The provider's record of an account, or None."""
        ...

    def create_confirmed_user(self, email: str, password: str | None) -> str:
        """Create a confirmed account (a temporary password is emailed without one); its user id."""
        ...

    def set_group(self, email: str, group: str, member: bool) -> None:
        """Make the account a member of a group, or not."""
        ...

    def disable(self, email: str) -> None:
        """Refuse every sign-in and refresh of the account."""
        ...

    def enable(self, email: str) -> None:
        """Let the account sign in again."""
        ...

    def sign_out(self, email: str) -> None:
        """End every session of the account."""
        ...


class SoftwareTokens(Protocol):
    """Enrolling an authenticator app (TOTP) as a second factor, on the user's own session."""

    def start_totp(self, access_token: str) -> str:
        """A new TOTP secret for the signed-in user's authenticator app."""
        ...

    def verify_totp(self, access_token: str, code: str, device_name: str | None) -> None:
        """Check a code computed from that secret; the app is registered when it matches."""
        ...

    def use_totp(self, access_token: str, enabled: bool) -> None:
        """Ask (or stop asking) for the app's code at every sign-in."""
        ...


class InvalidTokenError(Exception):
    """The token is not one the pool issued to the platform's app client, or no longer valid."""


class TokenVerifier(Protocol):
    """Checking a Cognito JWT offline, against the pool's signing keys."""

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims, or InvalidTokenError saying why not."""
        ...


class AccountLookup(Protocol):
    """Reading the identity provider's record of an account (the authorizer needs nothing more)."""

    def account(self, email: str) -> IdentityRecord | None:
        """The provider's record of an account, or None."""
        ...


class Cipher(Protocol):
    """Encrypting users' external service tokens, bound to the user and the service."""

    def encrypt(self, plaintext: str, user_id: str, service_id: str) -> bytes:
        """The ciphertext of a token for one user and service."""
        ...

    def decrypt(self, ciphertext: bytes, user_id: str, service_id: str) -> str:
        """The token back, only for the user and service it was stored for."""
        ...

"""Signing up, signing in and managing passwords: bodies and answers."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr
from pydantic_core import PydanticCustomError

from fip_core.fields import single_line
from users.domain import Challenge
from users.models.profiles import Country, ProfileText
from users.settings import PASSWORD_MIN_LENGTH


def _lower(value: str) -> str:
    return value.lower()


Email = Annotated[
    str,
    AfterValidator(single_line),
    Field(
        min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="The address you sign in with."
    ),
    AfterValidator(_lower),
]


def _password_policy(value: SecretStr) -> SecretStr:
    # the pool's policy, checked here too so that the error names the rule that was broken
    text = value.get_secret_value()
    if len(text) < PASSWORD_MIN_LENGTH:
        raise PydanticCustomError(
            "password_too_short", "must have at least {minimum} characters", {"minimum": PASSWORD_MIN_LENGTH}
        )
    if not (any(c.islower() for c in text) and any(c.isupper() for c in text) and any(c.isdigit() for c in text)):
        raise PydanticCustomError("password_too_weak", "must contain lower-case and upper-case letters and a digit")
    return value


Password = Annotated[
    SecretStr,
    Field(
        max_length=256,
        description=f"At least {PASSWORD_MIN_LENGTH} characters with lower- and upper-case letters and a digit.",
    ),
    AfterValidator(_password_policy),
]
Code = Annotated[
    str, Field(min_length=1, max_length=16, pattern=r"^[0-9A-Za-z]+$", description="The code from the email.")
]
TotpCode = Annotated[
    str, Field(pattern=r"^[0-9]{6}$", description="The 6-digit code your authenticator app shows now.")
]
SignInSession = Annotated[
    SecretStr,
    # Cognito's own limits on a challenge session
    Field(min_length=20, max_length=2048, description="The `session` of the sign-in answer that asked for this step."),
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignUp(_Body):
    """A new account: email, password and an optional profile."""

    email: Email
    password: Password
    name: ProfileText | None = None
    institution: ProfileText | None = None
    department: ProfileText | None = None
    country: Country | None = None


class ConfirmSignUp(_Body):
    """The code emailed at sign-up."""

    email: Email
    code: Code


class EmailOnly(_Body):
    """An address to send a code to."""

    email: Email


class SignIn(_Body):
    """Email and password."""

    email: Email
    password: Annotated[SecretStr, Field(min_length=1, max_length=256)]


class TotpSignIn(_Body):
    """The second step of signing in: the authenticator app's code."""

    email: Email
    session: SignInSession
    code: TotpCode


class NewPasswordSignIn(_Body):
    """The second step of signing in to an account made with a temporary password: your own password."""

    email: Email
    session: SignInSession
    new_password: Password


class Refresh(_Body):
    """A refresh token from sign-in."""

    refresh_token: Annotated[SecretStr, Field(min_length=1, max_length=8192)]


class ResetPassword(_Body):
    """A new password with the code emailed by forgot-password."""

    email: Email
    code: Code
    new_password: Password


class ChangePassword(_Body):
    """The current password and a new one."""

    current_password: Annotated[SecretStr, Field(min_length=1, max_length=256)]
    new_password: Password


class Tokens(BaseModel):
    """Tokens to send as `Authorization: Bearer <access_token>`."""

    access_token: str
    id_token: str
    refresh_token: str | None = Field(default=None, description="Absent when refreshing.")
    expires_in: int = Field(description="Seconds the access and ID tokens are valid.")
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret


class SignInChallenge(BaseModel):
    """Signing in needs one more step before tokens are given (status 202)."""

    challenge: Challenge = Field(
        description="SOFTWARE_TOKEN_MFA: send your authenticator app's code to /auth/sign-in/mfa. "
        "NEW_PASSWORD_REQUIRED: the account has a temporary password; set yours at /auth/sign-in/new-password."
    )
    session: str = Field(description="Send it back with the step; it is valid for 3 minutes.")
    message: str


class Accepted(BaseModel):
    """The request was taken; what happens next."""

    message: str


class BootstrapRequest(BaseModel):
    """Who becomes the first admin (the bootstrap function's payload)."""

    model_config = ConfigDict(extra="forbid")

    email: Email
    password: Password | None = None

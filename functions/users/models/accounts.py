"""Signing up, signing in and managing passwords: bodies and answers."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr
from pydantic_core import PydanticCustomError

from fip_core.fields import single_line
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


class Accepted(BaseModel):
    """The request was taken; what happens next."""

    message: str


class SignedUp(BaseModel):
    """A new account waiting for its email to be confirmed."""

    user_id: str
    email: str
    confirmed: bool
    message: str

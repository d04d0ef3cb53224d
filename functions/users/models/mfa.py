"""Two-factor sign-in with an authenticator app (TOTP), which admins and service admins must use."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from users.models.accounts import TotpCode


class MfaStatus(BaseModel):
    """Whether sign-in asks for the authenticator app's code."""

    totp_enabled: bool = Field(description="Sign-in asks for the code of an authenticator app.")
    required: bool = Field(description="You hold the admin or service_admin role, which needs it.")
    message: str


class TotpEnrolment(BaseModel):
    """A new secret for your authenticator app: add it, then verify one code to turn two-factor sign-in on."""

    secret: str = Field(description="Base32; type it into the app, or use `otpauth_uri`. It is not shown again.")
    otpauth_uri: str = Field(description="The same secret as an otpauth:// URI, for a QR code.")
    message: str


class TotpVerification(BaseModel):
    """A code the app computed from the new secret."""

    model_config = ConfigDict(extra="forbid")

    code: TotpCode
    device_name: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w .@+-]+$")] | None = Field(
        default=None, description="A name to recognise the app by, e.g. 'work phone'."
    )

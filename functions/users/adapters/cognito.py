"""The Cognito user pool behind sign-up, sign-in and passwords, with its errors turned into the
domain's: a wrong password and an unknown email read the same, so nobody learns who has an account."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from fip_core.aws import aws_client
from fip_core.container import per_container
from fip_core.problems import (
    ConflictError,
    DomainError,
    ForbiddenError,
    TooManyRequestsError,
    UnauthenticatedError,
    UnavailableError,
    UnprocessableError,
)
from users.settings import UsersSettings, users_settings

_THROTTLED = {"LimitExceededException", "TooManyRequestsException", "TooManyFailedAttemptsException"}
_WRONG_CREDENTIALS = "email or password is wrong"


@dataclass(frozen=True)
class SessionTokens:
    """What a successful sign-in or refresh gives."""

    access_token: str
    id_token: str
    refresh_token: str | None
    expires_in: int


class CognitoAccounts:
    """Accounts in the platform's user pool."""

    def __init__(self, settings: UsersSettings) -> None:
        self.settings = settings

    @property
    def _client(self) -> Any:
        return aws_client("cognito-idp")

    def sign_up(self, email: str, password: str, name: str | None) -> tuple[str, bool]:
        """Create an account; answer its `sub` and whether it is confirmed already."""
        attributes = [{"Name": "email", "Value": email}] + ([{"Name": "name", "Value": name}] if name else [])
        with _domain_errors(exists="an account with this email exists; sign in, or reset the password"):
            answer = self._client.sign_up(
                ClientId=self.settings.client_id, Username=email, Password=password, UserAttributes=attributes
            )
        return answer["UserSub"], bool(answer.get("UserConfirmed"))

    def confirm_sign_up(self, email: str, code: str) -> None:
        """Confirm an account with the emailed code."""
        with _domain_errors(
            unknown_user=UnprocessableError("no account waits for confirmation with this email and code")
        ):
            self._client.confirm_sign_up(ClientId=self.settings.client_id, Username=email, ConfirmationCode=code)

    def resend_code(self, email: str) -> None:
        """Email the confirmation code again (silently nothing for an unknown email)."""
        with _domain_errors(unknown_user=_SWALLOW):
            self._client.resend_confirmation_code(ClientId=self.settings.client_id, Username=email)

    def sign_in(self, email: str, password: str) -> SessionTokens:
        """Tokens for an email and password."""
        with _domain_errors(wrong_credentials=_WRONG_CREDENTIALS):
            answer = self._client.initiate_auth(
                ClientId=self.settings.client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": email, "PASSWORD": password},
            )
        return _tokens(answer)

    def refresh(self, refresh_token: str) -> SessionTokens:
        """New access and ID tokens for a refresh token."""
        with _domain_errors(wrong_credentials="the refresh token is invalid, expired or signed out; sign in again"):
            answer = self._client.initiate_auth(
                ClientId=self.settings.client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": refresh_token},
            )
        return _tokens(answer)

    def sign_out(self, email: str) -> None:
        """End every session of the user: refresh tokens stop working.

        The admin form of GlobalSignOut: it is signed with the function's role, so it also works
        for a caller who signed this request with a personal API token.
        """
        with _domain_errors(wrong_credentials="the account could not be signed out; sign in again"):
            # email is the pool's username attribute, which admin calls accept as the user name
            self._client.admin_user_global_sign_out(UserPoolId=self.settings.user_pool_id, Username=email)

    def forgot_password(self, email: str) -> None:
        """Email a reset code (silently nothing for an unknown email)."""
        with _domain_errors(unknown_user=_SWALLOW):
            self._client.forgot_password(ClientId=self.settings.client_id, Username=email)

    def reset_password(self, email: str, code: str, new_password: str) -> None:
        """Set a new password with the emailed code."""
        with _domain_errors(wrong_credentials="the code is wrong or expired; ask for a new one"):
            self._client.confirm_forgot_password(
                ClientId=self.settings.client_id, Username=email, ConfirmationCode=code, Password=new_password
            )

    def change_password(self, access_token: str, current: str, new: str) -> None:
        """Change the password of the signed-in user."""
        with _domain_errors(wrong_credentials="the current password is wrong"):
            self._client.change_password(AccessToken=access_token, PreviousPassword=current, ProposedPassword=new)

    def create_confirmed_user(self, email: str, password: str | None) -> str:
        """Create a confirmed account as an administrator; answer its `sub`.

        Without a password Cognito emails a temporary one, to be changed at first sign-in.
        """
        with _domain_errors(exists="an account with this email exists"):
            answer = self._client.admin_create_user(
                UserPoolId=self.settings.user_pool_id,
                Username=email,
                UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
                **({"MessageAction": "SUPPRESS"} if password else {}),
            )
            if password:
                self._client.admin_set_user_password(
                    UserPoolId=self.settings.user_pool_id, Username=email, Password=password, Permanent=True
                )
        attributes = {a["Name"]: a["Value"] for a in answer["User"].get("Attributes", [])}
        return str(attributes.get("sub") or answer["User"]["Username"])

    def set_group(self, email: str, group: str, member: bool) -> None:
        """Mirror an unscoped role as membership of the pool group of that name."""
        with _domain_errors():
            if member:
                self._client.admin_add_user_to_group(
                    UserPoolId=self.settings.user_pool_id, Username=email, GroupName=group
                )
            else:
                self._client.admin_remove_user_from_group(
                    UserPoolId=self.settings.user_pool_id, Username=email, GroupName=group
                )


@per_container
def cognito_accounts() -> CognitoAccounts:
    """The accounts of this container's user pool."""
    return CognitoAccounts(users_settings())


def _tokens(answer: dict[str, Any]) -> SessionTokens:
    result = answer.get("AuthenticationResult")
    if not result:
        # a challenge (e.g. a temporary password to replace) instead of tokens
        challenge = answer.get("ChallengeName", "a challenge")
        raise ForbiddenError(f"the account must first complete {challenge}; set a new password with forgot-password")
    return SessionTokens(
        access_token=result["AccessToken"],
        id_token=result["IdToken"],
        refresh_token=result.get("RefreshToken"),
        expires_in=int(result.get("ExpiresIn", 3600)),
    )


_SWALLOW = object()


@contextmanager
def _domain_errors(
    *,
    exists: str = "it exists already",
    wrong_credentials: str = _WRONG_CREDENTIALS,
    unknown_user: DomainError | object | None = None,
) -> Iterator[None]:
    """Turn Cognito's errors into the domain's. An unknown user reads as wrong credentials unless
    `unknown_user` says otherwise (`_SWALLOW`: say nothing, so no one learns who has an account)."""
    try:
        yield
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        if code == "UserNotFoundException":
            if unknown_user is _SWALLOW:
                return
            raise (
                unknown_user if isinstance(unknown_user, DomainError) else UnauthenticatedError(wrong_credentials)
            ) from error
        mapped = _map(code, message, exists, wrong_credentials)
        if mapped is None:
            raise
        raise mapped from error
    except BotoCoreError as error:
        raise UnavailableError("the sign-in service did not answer; try again shortly") from error


_FIXED_ANSWERS: dict[str, tuple[type[DomainError], str]] = {
    "CodeMismatchException": (UnprocessableError, "the code is wrong; check the email or ask for a new code"),
    "ExpiredCodeException": (UnprocessableError, "the code expired; ask for a new one"),
    "UserNotConfirmedException": (ForbiddenError, "confirm your email address first: use the code emailed at sign-up"),
    "ResourceNotFoundException": (UnavailableError, "the sign-in service is not set up; this is a platform fault"),
    **dict.fromkeys(_THROTTLED, (TooManyRequestsError, "too many attempts; wait a few minutes and try again")),
}


def _map(code: str, message: str, exists: str, wrong_credentials: str) -> DomainError | None:
    if code == "UsernameExistsException":
        return ConflictError(exists)
    if code in ("InvalidPasswordException", "InvalidParameterException"):
        return UnprocessableError(message or "the request was refused by the sign-in service")
    if code == "NotAuthorizedException":
        return UnauthenticatedError(wrong_credentials)
    if code in _FIXED_ANSWERS:
        error_class, detail = _FIXED_ANSWERS[code]
        return error_class(detail)
    return None

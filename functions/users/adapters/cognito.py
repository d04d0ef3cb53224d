"""The Cognito user pool behind sign-up, sign-in, passwords and the second factor, with its errors
turned into the domain's.

Every refusal reads a fixed message written here: Cognito's own texts never reach a caller (they
name internal states, and some say whether an account exists). A wrong password and an unknown
email read the same, and so do the answers of sign-up, resend-code and forgot-password for an
email that has an account and one that has not."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from fip_core.aws import aws_client
from fip_core.container import per_container
from fip_core.problems import (
    ConflictError,
    DomainError,
    ForbiddenError,
    NotFoundError,
    TooManyRequestsError,
    UnauthenticatedError,
    UnavailableError,
    UnprocessableError,
)
from users.domain import Challenge
from users.logic.ports import IdentityRecord, SessionTokens, SignInStep
from users.settings import PASSWORD_MIN_LENGTH, UsersSettings, users_settings

WRONG_CREDENTIALS = "email or password is wrong"
_SILENT = None  # a refusal answered as if the call had succeeded, so that nobody learns who has an account
_Refusals = Mapping[str, DomainError | None]

_TOO_MANY = TooManyRequestsError("too many attempts; wait a few minutes and try again")
_COMMON: _Refusals = {
    **dict.fromkeys(
        ("LimitExceededException", "TooManyRequestsException", "TooManyFailedAttemptsException"), _TOO_MANY
    ),
    "InvalidPasswordException": UnprocessableError(
        f"the password was refused: use at least {PASSWORD_MIN_LENGTH} characters with lower- and upper-case "
        "letters and a digit, and not one known to have leaked"
    ),
    "InvalidParameterException": UnprocessableError(
        "the sign-in service refused these values; check the email address and try again"
    ),
    "UserNotConfirmedException": ForbiddenError("confirm your email address first: use the code emailed at sign-up"),
    "PasswordResetRequiredException": ForbiddenError(
        "this account must set a new password: ask for a code with /auth/forgot-password"
    ),
    "InternalErrorException": UnavailableError("the sign-in service failed; try again shortly"),
    "ResourceNotFoundException": UnavailableError("the sign-in service is not set up; this is a platform fault"),
}
_WRONG_CODE = UnprocessableError("the code is wrong or expired; check the email, or ask for a new code")
_RESET_CODE: _Refusals = dict.fromkeys(
    # NotAuthorizedException: e.g. an account whose state allows no reset, which the caller need not learn
    ("CodeMismatchException", "ExpiredCodeException", "UserNotFoundException", "NotAuthorizedException"),
    _WRONG_CODE,
)
_SIGN_UP_CODE: _Refusals = {
    **_RESET_CODE,
    # Cognito says this of an account confirmed already (signing in finishes what a failure left undone)
    "NotAuthorizedException": UnprocessableError(
        "the code is wrong or expired, or the account is confirmed already: then sign in"
    ),
}
# Sign-up, resend-code and forgot-password answer the same for every email: these refusals only happen
# to an email that has an account (or one in a state that says so), so they are answered as a success.
_SAME_FOR_EVERY_EMAIL: _Refusals = dict.fromkeys(
    (
        "UserNotFoundException",
        "InvalidParameterException",  # e.g. resending to a confirmed account, a reset for an unverified one
        "NotAuthorizedException",  # e.g. a disabled account
        "UserNotConfirmedException",
        "CodeDeliveryFailureException",  # the mail could not go out: the caller may ask again
    ),
    _SILENT,
)


class CognitoAccounts:
    """Accounts in the platform's user pool (implements the protocols of `users.logic.ports`)."""

    def __init__(self, settings: UsersSettings, client: Any) -> None:
        self.settings = settings
        self._client = client

    # --- registration --------------------------------------------------------------------------------

    def sign_up(self, email: str, password: str, name: str | None) -> str | None:
        """Create an unconfirmed account; its `sub`, or None when the email has an account already (or
        when the code could not be emailed: then the caller answers as for a taken email, and the user
        asks for the code again)."""
        attributes = [{"Name": "email", "Value": email}] + ([{"Name": "name", "Value": name}] if name else [])
        answer = self._call(
            self._client.sign_up,
            dict.fromkeys(("UsernameExistsException", "AliasExistsException", "CodeDeliveryFailureException"), _SILENT),
            ClientId=self.settings.client_id, Username=email, Password=password, UserAttributes=attributes,
        )  # fmt: skip
        return str(answer["UserSub"]) if answer else None

    def confirm_sign_up(self, email: str, code: str) -> None:
        """Confirm an account with the emailed code."""
        self._call(
            self._client.confirm_sign_up, _SIGN_UP_CODE, ClientId=self.settings.client_id, Username=email,
            ConfirmationCode=code,
        )  # fmt: skip

    def resend_code(self, email: str) -> None:
        """Email the confirmation code again; silently nothing when nothing waits for confirmation."""
        self._call(
            self._client.resend_confirmation_code, _SAME_FOR_EVERY_EMAIL, ClientId=self.settings.client_id,
            Username=email,
        )  # fmt: skip

    # --- sessions ------------------------------------------------------------------------------------

    def sign_in(self, email: str, password: str) -> SessionTokens | SignInStep:
        """Tokens for an email and password, or the step to take first."""
        answer = self._call(
            self._client.initiate_auth,
            {"NotAuthorizedException": UnauthenticatedError(WRONG_CREDENTIALS),
             "UserNotFoundException": UnauthenticatedError(WRONG_CREDENTIALS)},
            ClientId=self.settings.client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )  # fmt: skip
        return _tokens_or_step(answer)

    def answer_totp(self, email: str, session: str, code: str) -> SessionTokens | SignInStep:
        """Tokens for the authenticator app's code of a sign-in that asked for it."""
        wrong = UnauthenticatedError("the code is wrong; enter the current code of your authenticator app")
        answer = self._respond(
            Challenge.TOTP, session, {"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": code},
            {"CodeMismatchException": wrong, "ExpiredCodeException": wrong},
        )  # fmt: skip
        return _tokens_or_step(answer)

    def set_new_password(self, email: str, session: str, new_password: str) -> SessionTokens | SignInStep:
        """Tokens once an account made with a temporary password has set its own."""
        answer = self._respond(Challenge.NEW_PASSWORD, session, {"USERNAME": email, "NEW_PASSWORD": new_password}, {})
        return _tokens_or_step(answer)

    def _respond(
        self, challenge: Challenge, session: str, responses: dict[str, str], refusals: _Refusals
    ) -> dict[str, Any]:
        expired = UnauthenticatedError("this sign-in expired or is not valid (it lasts 3 minutes); sign in again")
        answer: dict[str, Any] = self._call(
            self._client.respond_to_auth_challenge,
            {"NotAuthorizedException": expired, "UserNotFoundException": expired,
             # moto's answer to a session it does not know (Cognito's is NotAuthorizedException)
             "ResourceNotFoundException": expired, **refusals},
            ClientId=self.settings.client_id, ChallengeName=challenge.value, Session=session,
            ChallengeResponses=responses,
        )  # fmt: skip
        return answer

    def refresh(self, refresh_token: str) -> SessionTokens:
        """New access and ID tokens for a refresh token."""
        answer = self._call(
            self._client.initiate_auth,
            {"NotAuthorizedException": UnauthenticatedError(
                "the refresh token is invalid, expired or signed out; sign in again")},
            ClientId=self.settings.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token},
        )  # fmt: skip
        step = _tokens_or_step(answer)
        if isinstance(step, SignInStep):  # refreshing never asks for a step; a pool that did is misconfigured
            raise _unreachable()
        return step

    def sign_out(self, email: str) -> None:
        """End every session of the user: refresh tokens stop working.

        The admin form of GlobalSignOut: it is signed with the function's role, so it also works
        for a caller who signed this request with a personal API token, and for a reset password.
        """
        # email is the pool's username attribute, which admin calls accept as the user name
        self._call(
            self._client.admin_user_global_sign_out, {"UserNotFoundException": _SILENT},
            UserPoolId=self.settings.user_pool_id, Username=email,
        )  # fmt: skip

    # --- passwords -----------------------------------------------------------------------------------

    def forgot_password(self, email: str) -> None:
        """Email a reset code; silently nothing for an unknown email."""
        self._call(
            self._client.forgot_password, _SAME_FOR_EVERY_EMAIL, ClientId=self.settings.client_id, Username=email
        )

    def reset_password(self, email: str, code: str, new_password: str) -> None:
        """Set a new password with the emailed code."""
        self._call(
            self._client.confirm_forgot_password, _RESET_CODE, ClientId=self.settings.client_id, Username=email,
            ConfirmationCode=code, Password=new_password,
        )  # fmt: skip

    def change_password(self, access_token: str, current: str, new: str) -> None:
        """Change the password of the signed-in user."""
        self._call(
            self._client.change_password,
            {"NotAuthorizedException": UnauthenticatedError(
                "the current password is wrong, or this session was signed out")},
            AccessToken=access_token, PreviousPassword=current, ProposedPassword=new,
        )  # fmt: skip

    # --- the directory ---------------------------------------------------------------------------------

    def account(self, email: str) -> IdentityRecord | None:
        """The pool's record of an account, or None."""
        answer = self._call(
            self._client.admin_get_user, {"UserNotFoundException": _SILENT},
            UserPoolId=self.settings.user_pool_id, Username=email,
        )  # fmt: skip
        if not answer:
            return None
        attributes = {a["Name"]: a["Value"] for a in answer.get("UserAttributes", [])}
        return IdentityRecord(
            user_id=str(attributes.get("sub") or answer["Username"]),
            email=str(attributes.get("email") or email).lower(),
            name=attributes.get("name"),
            confirmed=answer.get("UserStatus") != "UNCONFIRMED",
            enabled=bool(answer.get("Enabled", True)),
            totp_enabled=Challenge.TOTP.value in (answer.get("UserMFASettingList") or []),
        )

    def create_confirmed_user(self, email: str, password: str | None) -> str:
        """Create a confirmed account as an administrator; answer its `sub`.

        Without a password Cognito emails a temporary one, to be changed at first sign-in.
        """
        exists = {"UsernameExistsException": ConflictError("an account with this email exists")}
        answer = self._call(
            self._client.admin_create_user, exists, UserPoolId=self.settings.user_pool_id, Username=email,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
            **({"MessageAction": "SUPPRESS"} if password else {}),
        )  # fmt: skip
        if password:
            self._call(
                self._client.admin_set_user_password, {}, UserPoolId=self.settings.user_pool_id, Username=email,
                Password=password, Permanent=True,
            )  # fmt: skip
        attributes = {a["Name"]: a["Value"] for a in answer["User"].get("Attributes", [])}
        return str(attributes.get("sub") or answer["User"]["Username"])

    def set_group(self, email: str, group: str, member: bool) -> None:
        """Mirror an unscoped role as membership of the pool group of that name."""
        change = self._client.admin_add_user_to_group if member else self._client.admin_remove_user_from_group
        self._call(change, {}, UserPoolId=self.settings.user_pool_id, Username=email, GroupName=group)

    def disable(self, email: str) -> None:
        """Refuse every sign-in and refresh of the account (admin only)."""
        self._call(
            self._client.admin_disable_user, {"UserNotFoundException": _NO_ACCOUNT},
            UserPoolId=self.settings.user_pool_id, Username=email,
        )  # fmt: skip

    def enable(self, email: str) -> None:
        """Let a disabled account sign in again (admin only)."""
        self._call(
            self._client.admin_enable_user, {"UserNotFoundException": _NO_ACCOUNT},
            UserPoolId=self.settings.user_pool_id, Username=email,
        )  # fmt: skip

    # --- the second factor -----------------------------------------------------------------------------

    def start_totp(self, access_token: str) -> str:
        """A new TOTP secret for the signed-in user's authenticator app (replacing one not yet verified)."""
        answer = self._call(
            self._client.associate_software_token, {"NotAuthorizedException": _SIGNED_OUT}, AccessToken=access_token
        )
        return str(answer["SecretCode"])

    def verify_totp(self, access_token: str, code: str, device_name: str | None) -> None:
        """Register the app when the code matches the secret `start_totp` gave."""
        wrong = UnprocessableError(
            "the code does not match: enter the current code of the app you added the secret to (its clock must be "
            "right), or start again"
        )
        answer = self._call(
            self._client.verify_software_token,
            {"EnableSoftwareTokenMFAException": wrong, "CodeMismatchException": wrong,
             "SoftwareTokenMFANotFoundException": ConflictError("start with POST /me/mfa/totp, then verify a code"),
             "NotAuthorizedException": _SIGNED_OUT},
            AccessToken=access_token, UserCode=code, **({"FriendlyDeviceName": device_name} if device_name else {}),
        )  # fmt: skip
        if answer.get("Status") != "SUCCESS":
            raise wrong

    def use_totp(self, access_token: str, enabled: bool) -> None:
        """Ask (or stop asking) for the authenticator app's code at every sign-in."""
        self._call(
            self._client.set_user_mfa_preference,
            {"InvalidParameterException": ConflictError("verify a code of your authenticator app first"),
             "NotAuthorizedException": _SIGNED_OUT},
            AccessToken=access_token, SoftwareTokenMfaSettings={"Enabled": enabled, "PreferredMfa": enabled},
        )  # fmt: skip

    def _call(self, operation: Callable[..., Any], refusals: _Refusals, **parameters: Any) -> Any:
        """Make one call; a refusal becomes the domain's error (or, if `refusals` maps it to None, nothing)."""
        try:
            return operation(**parameters)
        except ClientError as error:
            if _code(error) in refusals and refusals[_code(error)] is _SILENT:
                return {}
            mapped = _refusal(error, refusals)
            if mapped is None:
                raise
            raise mapped from error
        except ParamValidationError as error:
            # a value Cognito's own limits refuse before anything is sent (botocore checks them): the
            # caller's, not an outage
            raise UnprocessableError(
                "the sign-in service refused a value of this request (a code, session or token of the wrong "
                "length or form): check it, or start again from /auth/sign-in"
            ) from error
        except BotoCoreError as error:
            raise _unreachable() from error


_NO_ACCOUNT = NotFoundError("the sign-in service has no such account")
_SIGNED_OUT = UnauthenticatedError(
    "Cognito refused this session (signed out, expired, or an ID token sent where the access token is needed): "
    "sign in again and send the access token"
)


@per_container
def cognito_client() -> Any:
    """The boto3 client of Cognito's user pools (a seam: the tests put a code-checking moto behind it)."""
    return aws_client("cognito-idp")


@per_container
def cognito_accounts() -> CognitoAccounts:
    """The accounts of this container's user pool."""
    return CognitoAccounts(users_settings(), cognito_client())


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _refusal(error: ClientError, refusals: _Refusals) -> DomainError | None:
    """The domain's error for a Cognito refusal, or None for one not foreseen (it stays a 500, logged)."""
    code = _code(error)
    mapped = refusals.get(code) or _COMMON.get(code)
    # a fresh instance: the shared ones above must not collect tracebacks and causes between requests
    return type(mapped)(mapped.detail) if mapped is not None else None


def _unreachable() -> UnavailableError:
    return UnavailableError("the sign-in service did not answer; try again shortly")


def _tokens_or_step(answer: dict[str, Any]) -> SessionTokens | SignInStep:
    result = answer.get("AuthenticationResult")
    if result:
        return _tokens(result)
    name = answer.get("ChallengeName")
    if name in set(Challenge) and answer.get("Session"):
        return SignInStep(challenge=Challenge(name), session=str(answer["Session"]))
    # a step the platform does not offer (SMS, e-mail codes, passkeys): the pool is not set up for them
    raise ForbiddenError("this account needs a sign-in step the platform does not offer; ask an administrator")


def _tokens(result: dict[str, Any]) -> SessionTokens:
    return SessionTokens(
        access_token=result["AccessToken"],
        id_token=result["IdToken"],
        refresh_token=result.get("RefreshToken"),
        expires_in=int(result.get("ExpiresIn", 3600)),
    )

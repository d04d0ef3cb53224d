"""Cognito for the tests: moto's user pools behind a double that checks codes the way Cognito does.

moto 5.2.5 (moto/cognitoidp/models.py) keeps the accounts, passwords, groups, tokens and MFA
settings faithfully enough, and this double leaves all of that to it. What it gets wrong is codes:

- ConfirmSignUp accepts any code, and confirms an account that is confirmed already (Cognito:
  NotAuthorizedException). ResendConfirmationCode issues nothing that could be checked.
- ConfirmForgotPassword accepts any code unless it starts with "moto-confirmation-code:" (a code
  it returns in an HTTP header), and then a wrong one is ExpiredCodeException, never
  CodeMismatchException.
- AssociateSoftwareToken gives every user the same secret, "asdfasdfasdf" (12 base32 characters
  where Cognito's are 32), and keeps none per user.
- VerifySoftwareToken and the SOFTWARE_TOKEN_MFA challenge check the code only when
  MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true, against that shared secret, in the current 30 s
  step only (Cognito accepts the steps either side); a wrong code at VerifySoftwareToken is
  CodeMismatchException where Cognito answers EnableSoftwareTokenMFAException, and a call with an
  access token answers a Session that Cognito gives only to a call made with a session.
- Challenge sessions never expire (Cognito's last 3 minutes by default) and are not tied to the
  user who started them; an unknown session is ResourceNotFoundException (Cognito:
  NotAuthorizedException).
- It never throttles, fails or stops answering.

The double issues 6-digit codes into `mailbox` as Cognito would email them (valid 24 hours for
sign-up, 1 hour for a password reset; a newer code, or using it, makes the older one expired),
keeps a random secret per user for TOTP (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits, one step of
skew either side), and answers as Cognito documents with PreventUserExistenceErrors enabled
(developer guide, "Managing user existence error responses"): a wrong code CodeMismatchException,
an old or unrequested one ExpiredCodeException, an unknown or disabled account at
ConfirmForgotPassword CodeMismatchException, ResendConfirmationCode and ForgotPassword for an
unknown account a simulated delivery. Its clock is the real one plus what `advance` added, so
tests age codes and sessions without waiting. `fail_next` makes the next call of an operation
throttled, refused or unreachable, as botocore raises it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError, EndpointConnectionError

SIGN_UP, PASSWORD = "sign_up", "password"
CODE_LIFETIME_SECONDS = {SIGN_UP: 24 * 3600, PASSWORD: 3600}
SESSION_SECONDS = 180
TOTP_STEP_SECONDS = 30
SIMULATED_DELIVERY = {"CodeDeliveryDetails": {"Destination": "a***@e***", "DeliveryMedium": "EMAIL"}}


def totp(secret: str, at: float) -> str:
    """The RFC 6238 code of a base32 secret at a moment (HMAC-SHA1, 30 s steps, 6 digits)."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", int(at // TOTP_STEP_SECONDS)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


@dataclass(frozen=True)
class Email:
    """A code the double sent, as Cognito would have emailed it."""

    to: str
    purpose: str
    code: str
    sent_at: float


@dataclass
class _Issued:
    code: str
    at: float
    used: bool = False


@dataclass(frozen=True)
class _Session:
    user_id: str
    challenge: str
    started: float


@dataclass
class _Failure:
    code: str | None  # a Cognito error code; None: the endpoint does not answer
    message: str
    times: int


@dataclass
class CodeCheckingCognito:
    """A boto3 `cognito-idp` client: moto, with codes enforced (see the module's docstring)."""

    moto: Any
    user_pool_id: str
    mailbox: list[Email] = field(default_factory=list)
    offset: float = 0.0
    _codes: dict[tuple[str, str], list[_Issued]] = field(default_factory=dict)
    _pending_secrets: dict[str, str] = field(default_factory=dict)
    _secrets: dict[str, str] = field(default_factory=dict)
    _sessions: dict[str, _Session] = field(default_factory=dict)
    _failures: dict[str, _Failure] = field(default_factory=dict)

    # --- what the tests ask of it ----------------------------------------------------------------

    def now(self) -> float:
        """The double's clock: the real one, moved on by `advance`."""
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        """Let time pass for codes and sessions."""
        self.offset += seconds

    def code_for(self, email: str, purpose: str = SIGN_UP) -> str:
        """The last code emailed to an address for a purpose."""
        sent = [mail for mail in self.mailbox if mail.to == email.lower() and mail.purpose == purpose]
        assert sent, f"no {purpose} code was emailed to {email}"
        return sent[-1].code

    def totp_code(self, email: str, at: float | None = None) -> str:
        """What the user's authenticator app shows (now, or at a moment of the double's clock)."""
        return totp(self.totp_secret(email), self.now() if at is None else at)

    def totp_secret(self, email: str) -> str:
        """The secret the user added to their app (verified, or only associated)."""
        user_id = self._user_id(email)
        assert user_id is not None, f"{email} has no account"
        found = self._secrets.get(user_id) or self._pending_secrets.get(user_id)
        assert found, f"{email} never associated a software token"
        return found

    def fail_next(self, operation: str, code: str | None, message: str = "Rate exceeded", times: int = 1) -> None:
        """The next `times` calls of a client method (`initiate_auth`) raise that Cognito error code with
        that message, or with None the connection error of an endpoint that does not answer."""
        self._failures[operation] = _Failure(code, message, times)

    # --- the operations whose codes it checks -------------------------------------------------------

    def sign_up(self, **request: Any) -> Any:
        self._maybe_fail("sign_up")
        answer = self.moto.sign_up(**request)
        self._email(request["Username"], str(answer["UserSub"]), SIGN_UP)
        return answer

    def resend_confirmation_code(self, **request: Any) -> Any:
        self._maybe_fail("resend_confirmation_code")
        user = self._user(request["Username"])
        if user is None or not user["Enabled"]:
            return SIMULATED_DELIVERY
        if user["UserStatus"] != "UNCONFIRMED":
            raise _error("InvalidParameterException", "User is already confirmed.", "ResendConfirmationCode")
        self._email(request["Username"], _sub(user), SIGN_UP)
        return SIMULATED_DELIVERY

    def confirm_sign_up(self, **request: Any) -> Any:
        self._maybe_fail("confirm_sign_up")
        user = self._user(request["Username"])
        if user is None:
            raise _error("CodeMismatchException", "Invalid verification code provided.", "ConfirmSignUp")
        if user["UserStatus"] != "UNCONFIRMED":
            raise _error(
                "NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED", "ConfirmSignUp"
            )
        self._check_code(_sub(user), SIGN_UP, request["ConfirmationCode"], "ConfirmSignUp")
        return self.moto.confirm_sign_up(**request)

    def forgot_password(self, **request: Any) -> Any:
        self._maybe_fail("forgot_password")
        user = self._user(request["Username"])
        if user is None or not user["Enabled"] or user["UserStatus"] == "UNCONFIRMED":
            return SIMULATED_DELIVERY  # nothing verified to send to: Cognito answers as if it sent
        answer = self.moto.forgot_password(**request)
        self._email(request["Username"], _sub(user), PASSWORD)
        return {"CodeDeliveryDetails": answer["CodeDeliveryDetails"]}

    def confirm_forgot_password(self, **request: Any) -> Any:
        self._maybe_fail("confirm_forgot_password")
        user = self._user(request["Username"])
        if user is None or not user["Enabled"]:
            raise _error("CodeMismatchException", "Invalid verification code provided.", "ConfirmForgotPassword")
        self._check_code(_sub(user), PASSWORD, request["ConfirmationCode"], "ConfirmForgotPassword")
        # moto compares only codes that start with its own prefix: this one has been checked here
        return self.moto.confirm_forgot_password(**{**request, "ConfirmationCode": "checked"})

    def associate_software_token(self, **request: Any) -> Any:
        self._maybe_fail("associate_software_token")
        user = self.moto.get_user(AccessToken=request["AccessToken"])  # NotAuthorizedException if signed out
        secret = base64.b32encode(secrets.token_bytes(20)).decode()  # 32 characters, as Cognito's
        self._pending_secrets[_sub(user)] = secret
        return {"SecretCode": secret}

    def verify_software_token(self, **request: Any) -> Any:
        self._maybe_fail("verify_software_token")
        user_id = _sub(self.moto.get_user(AccessToken=request["AccessToken"]))
        secret = self._pending_secrets.get(user_id)
        if secret is None or not self._totp_matches(secret, request["UserCode"]):
            raise _error(
                "EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA",
                "VerifySoftwareToken",
            )  # fmt: skip
        self.moto.verify_software_token(AccessToken=request["AccessToken"], UserCode=request["UserCode"])
        self._secrets[user_id] = self._pending_secrets.pop(user_id)
        return {"Status": "SUCCESS"}

    def initiate_auth(self, **request: Any) -> Any:
        self._maybe_fail("initiate_auth")
        answer = self.moto.initiate_auth(**request)
        self._remember_session(answer, request.get("AuthParameters", {}).get("USERNAME", ""))
        return answer

    def respond_to_auth_challenge(self, **request: Any) -> Any:
        self._maybe_fail("respond_to_auth_challenge")
        session = self._sessions.pop(request.get("Session", ""), None)
        responses = request.get("ChallengeResponses", {})
        user_id = self._user_id(responses.get("USERNAME", ""))
        if session is None or self.now() - session.started > SESSION_SECONDS or session.user_id != user_id:
            raise _error(
                "NotAuthorizedException", "Invalid session for the user, session is expired.", "RespondToAuthChallenge"
            )
        if session.challenge != request["ChallengeName"]:
            raise _error("InvalidParameterException", "Invalid challenge name.", "RespondToAuthChallenge")
        if session.challenge == "SOFTWARE_TOKEN_MFA":
            secret = self._secrets.get(session.user_id, "")
            if not self._totp_matches(secret, responses.get("SOFTWARE_TOKEN_MFA_CODE", "")):
                self._sessions[request["Session"]] = session  # Cognito lets the same sign-in try again
                raise _error("CodeMismatchException", "Invalid code received for user", "RespondToAuthChallenge")
        answer = self.moto.respond_to_auth_challenge(**request)
        self._remember_session(answer, responses.get("USERNAME", ""))
        return answer

    def __getattr__(self, name: str) -> Any:
        """Every other operation is moto's, failing when told to."""
        operation = getattr(self.moto, name)

        def call(**request: Any) -> Any:
            self._maybe_fail(name)
            return operation(**request)

        return call

    # --- what it keeps --------------------------------------------------------------------------------

    def _user(self, username: str) -> dict[str, Any] | None:
        try:
            return dict(self.moto.admin_get_user(UserPoolId=self.user_pool_id, Username=username))
        except ClientError as error:
            if error.response["Error"]["Code"] == "UserNotFoundException":
                return None
            raise

    def _user_id(self, username: str) -> str | None:
        user = self._user(username) if username else None
        return _sub(user) if user else None

    def _email(self, to: str, user_id: str, purpose: str) -> None:
        code = f"{secrets.randbelow(1_000_000):06d}"
        self._codes.setdefault((user_id, purpose), []).append(_Issued(code, self.now()))
        self.mailbox.append(Email(to.lower(), purpose, code, self.now()))

    def _check_code(self, user_id: str, purpose: str, code: str, operation: str) -> None:
        issued = self._codes.get((user_id, purpose), [])
        latest = issued[-1] if issued else None
        fresh = latest is not None and self.now() - latest.at <= CODE_LIFETIME_SECONDS[purpose]
        if latest is not None and fresh and latest.code == code and not latest.used:
            latest.used = True
            return
        if not issued or any(earlier.code == code for earlier in issued):
            raise _error("ExpiredCodeException", "Invalid code provided, please request a code again.", operation)
        raise _error("CodeMismatchException", "Invalid verification code provided, please try again.", operation)

    def _totp_matches(self, secret: str, code: str) -> bool:
        now = self.now()
        return bool(secret) and any(
            hmac.compare_digest(totp(secret, now + skew * TOTP_STEP_SECONDS), code) for skew in (-1, 0, 1)
        )

    def _remember_session(self, answer: dict[str, Any], username: str) -> None:
        if answer.get("ChallengeName") and answer.get("Session"):
            user_id = self._user_id(username)
            assert user_id is not None
            self._sessions[answer["Session"]] = _Session(user_id, answer["ChallengeName"], self.now())

    def _maybe_fail(self, operation: str) -> None:
        failure = self._failures.get(operation)
        if failure is None:
            return
        failure.times -= 1
        if failure.times <= 0:
            del self._failures[operation]
        if failure.code is None:
            raise EndpointConnectionError(endpoint_url="https://cognito-idp.eu-west-1.amazonaws.com/")
        raise _error(failure.code, failure.message, operation)


def _sub(user: dict[str, Any]) -> str:
    attributes = {a["Name"]: a["Value"] for a in user.get("UserAttributes", user.get("Attributes", []))}
    return str(attributes.get("sub") or user["Username"])


def _error(code: str, message: str, operation: str) -> ClientError:
    """A refusal as botocore raises it for an answer of Cognito's."""
    return ClientError(
        {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": 400}}, operation
    )

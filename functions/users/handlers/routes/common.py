"""What the users domain's route modules share: the transactions they hand the logic, the OpenAPI
tags and answers, the caller's own session and the sign-in flow."""

from __future__ import annotations

from http import HTTPStatus

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import BaseRouter
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from fip_core.access import SESSION_NEEDED
from fip_core.http import answers, current_principal, json_response
from fip_core.problems import ForbiddenError
from users.adapters.clock import system_clock
from users.adapters.cognito import cognito_accounts
from users.dal import unit_of_work
from users.logic import sessions
from users.logic.authentication import bearer_token
from users.logic.ports import Transactions
from users.models.accounts import SignInChallenge, Tokens
from users.settings import users_settings

# the transactions the logic is handed, read at each call (a test may hand it failing ones)
STORE: Transactions = unit_of_work.STORE

ACCOUNT = "Account"
PROFILE = "Profile and tokens"
ADMIN = "Administration"


def sign_in_answers() -> dict[int, OpenAPIResponse]:
    """Tokens (200), or the next step of signing in (202)."""
    return {**answers(200, Tokens, 401, 403, 429), **answers(202, SignInChallenge)}


def access_token(router: BaseRouter) -> str:
    """The caller's Cognito access token, for the calls Cognito takes on the user's own session."""
    token = bearer_token(router.current_event.headers.get("authorization"))
    if token is None or current_principal(router).method != "cognito":
        raise ForbiddenError(SESSION_NEEDED)
    return token


def sign_in_flow() -> sessions.SignInFlow:
    """Signing in against the pool, with the transactions of the moment."""
    pool = cognito_accounts()
    return sessions.SignInFlow(STORE, pool, pool, users_settings().default_role, system_clock)


def signed_in(answer: Tokens | SignInChallenge) -> Response[Tokens | SignInChallenge]:
    """Tokens as 200, the next step of signing in as 202."""
    return json_response(answer, HTTPStatus.OK if isinstance(answer, Tokens) else HTTPStatus.ACCEPTED)

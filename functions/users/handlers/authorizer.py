"""The HTTP API's Lambda authorizer (payload 2.0, simple responses): every route but the public
ones goes through it. It accepts a Cognito access or ID token or a personal API token and hands the
user id and roles to the handlers in the request context."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.logging import correlation_paths

from fip_core.container import per_container
from fip_core.observability import observability
from fip_core.tasks import task_handler
from users import DOMAIN

if TYPE_CHECKING:
    from users.logic.authentication import Authenticator

obs = observability(DOMAIN)


@per_container
def _authenticator() -> Authenticator:
    # imported on the first decision, which needs all of it: JWT checks, the pool, the data access
    from users.adapters.clock import system_clock
    from users.adapters.cognito import cognito_accounts
    from users.adapters.signing_keys import CognitoTokenVerifier
    from users.dal.unit_of_work import STORE
    from users.logic.authentication import Authenticator
    from users.settings import users_settings

    return Authenticator(STORE, CognitoTokenVerifier(users_settings()), cognito_accounts(), system_clock)


def decide(event: dict[str, Any]) -> dict[str, Any]:
    """`isAuthorized` and, when true, the principal as context."""
    headers = {key.lower(): value for key, value in (event.get("headers") or {}).items()}
    principal = _authenticator().principal(headers.get("authorization"))
    if principal is None:
        obs.logger.info("request refused", extra={"route": event.get("routeKey")})
        return {"isAuthorized": False}
    return {"isAuthorized": True, "context": principal.to_context()}


handler = task_handler(obs, decide, correlation_paths.API_GATEWAY_HTTP)

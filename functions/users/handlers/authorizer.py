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
    """`isAuthorized` and, when true, the principal as context; while the users database cannot
    answer (resuming from a pause), a context that makes the API answer 503 with Retry-After."""
    from fip_core.database import DatabaseUnavailableError

    headers = {key.lower(): value for key, value in (event.get("headers") or {}).items()}
    try:
        principal = _authenticator().principal(headers.get("authorization"))
    except DatabaseUnavailableError as unavailable:
        obs.logger.warning("cannot decide: the users database is unavailable", extra={"route": event.get("routeKey")})
        from fip_core.access import unavailable_context
        from users.declaration import DECLARATION

        # API Gateway keeps this answer for the token as long as any other: the caller comes back after that
        wait = max(unavailable.retry_after_seconds or 0, DECLARATION.authorizer_cache_seconds)
        return {"isAuthorized": True, "context": unavailable_context(wait)}
    if principal is None:
        obs.logger.info("request refused", extra={"route": event.get("routeKey")})
        return {"isAuthorized": False}
    return {"isAuthorized": True, "context": principal.to_context()}


handler = task_handler(obs, decide, correlation_paths.API_GATEWAY_HTTP)

"""Calling a domain's API handler in-process, routed the way API Gateway routes it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

from fip_core.access import Grant, Principal, Role
from infra.domains import DOMAINS
from local_platform.authorizer import GatewayAuthorizer, authorizing_domain
from local_platform.events import authorizer_event, http_api_event, lambda_context
from local_platform.lambdas import import_handler
from local_platform.routing import RouteTable

ROUTES = RouteTable(DOMAINS)
TEST_ADMIN = Principal(
    user_id="test-admin", email="admin@example.org", method="cognito", grants=[Grant(role=Role.ADMIN)]
)


@dataclass
class ApiAnswer:
    """A handler's answer with its body parsed."""

    status: int
    headers: dict[str, str]
    body: Any

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", self.headers.get("content-type", ""))


def invoke_api(
    method: str,
    path: str,
    *,
    body: Any = None,
    query: dict[str, str] | str | None = None,
    headers: dict[str, str] | None = None,
    principal: Principal | None = TEST_ADMIN,
    token: str | None = None,
) -> ApiAnswer:
    """Route a request to its domain's API function and call the handler, as the gateway would after
    the authorizer let the principal through (an admin unless told otherwise; None: anonymous).

    With `token`, the request carries `Authorization: Bearer <token>` and goes through the real
    authorizer function first, refused the way API Gateway refuses (401 or 403, `{"message": ...}`).
    """
    match = ROUTES.match(method, path)
    if match is None:
        raise AssertionError(f"{method} {path} is not a declared route")
    function = match.domain.function(match.domain.api_function)
    handler = import_handler(function.handler)
    event = http_api_event(
        method,
        path,
        route_key=match.route.route_key,
        path_parameters=match.path_parameters,
        query=query,
        body=body,
        headers=headers,
        authorizer={"lambda": principal.to_context()} if principal and token is None else None,
    )
    if token is not None:
        event["headers"]["authorization"] = f"Bearer {token}" if token else ""
        refusal = _gateway_authorizer().apply(match, event)
        if refusal is not None:
            return ApiAnswer(
                status=refusal.status, headers={"Content-Type": "application/json"}, body=json.loads(refusal.body)
            )
    result = handler(event, lambda_context(f"{match.domain.name}-{function.name}"))
    text = result.get("body")
    # RFC 9110 15.3.5: a 204 has no content; a client reading the next answer on the connection would
    # otherwise take these bytes for its start
    assert not (result["statusCode"] == 204 and text), f"{method} {path} answered 204 with content {text!r}"
    parsed = json.loads(text) if text else None
    return ApiAnswer(status=result["statusCode"], headers=result.get("headers") or {}, body=parsed)


def _call(function: Any, event: dict[str, Any]) -> Any:
    return function(event, lambda_context("authorizer"))


@cache
def _gateway_authorizer() -> GatewayAuthorizer:
    """The gateway's authorizer step without its cache, so each request is decided afresh."""
    domain = authorizing_domain(DOMAINS)
    if domain is None or domain.authorizer_function is None:
        raise AssertionError("no domain declares the authorizer")
    function = import_handler(domain.function(domain.authorizer_function).handler)
    return GatewayAuthorizer(partial(_call, function), cache_seconds=0)


def authorize(token: str) -> dict[str, Any]:
    """What the authorizer function answers for `Authorization: Bearer <token>`."""
    event = http_api_event("GET", "/me", route_key="GET /me", headers={"authorization": f"Bearer {token}"})
    return dict(_gateway_authorizer().authorize(authorizer_event(event, f"Bearer {token}")))

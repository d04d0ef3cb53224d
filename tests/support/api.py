"""Calling a domain's API handler in-process, routed the way API Gateway routes it."""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from typing import Any

from infra.domains import DOMAINS
from local_platform.events import http_api_event, lambda_context
from local_platform.routing import RouteTable

ROUTES = RouteTable(DOMAINS)


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
) -> ApiAnswer:
    """Route a request to its domain's API function and call the handler, as the gateway would."""
    match = ROUTES.match(method, path)
    if match is None:
        raise AssertionError(f"{method} {path} is not a declared route")
    function = match.domain.function(match.domain.api_function)
    module_name, attribute = function.handler.rsplit(".", 1)
    handler = getattr(importlib.import_module(module_name), attribute)
    event = http_api_event(
        method,
        path,
        route_key=match.route.route_key,
        path_parameters=match.path_parameters,
        query=query,
        body=body,
        headers=headers,
    )
    result = handler(event, lambda_context(f"{match.domain.name}-{function.name}"))
    text = result.get("body")
    parsed = json.loads(text) if text else None
    return ApiAnswer(status=result["statusCode"], headers=result.get("headers") or {}, body=parsed)

"""The gateway's authorizer step, as API Gateway runs a Lambda authorizer with simple responses:
no `Authorization` header is 401 without calling the function, a refusal is 403, a decision is
reused for the same header value for the authorizer's cache time."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from fip_core.access import Access
from fip_core.declaration import DomainDeclaration
from local_platform.events import authorizer_event
from local_platform.routing import RouteMatch

Authorize = Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class Refusal:
    """What API Gateway answers when the authorizer does not let a request through."""

    status: int
    body: bytes

    @classmethod
    def of(cls, status: int, message: str) -> Refusal:
        """API Gateway's own body: `{"message": ...}`."""
        return cls(status, json.dumps({"message": message}).encode())


UNAUTHORIZED = Refusal.of(401, "Unauthorized")
FORBIDDEN = Refusal.of(403, "Forbidden")
AUTHORIZER_FAILED = Refusal.of(500, "Internal Server Error")


def authorizing_domain(domains: Iterable[DomainDeclaration]) -> DomainDeclaration | None:
    """The domain that declares the platform's one authorizer, if any does."""
    return next((domain for domain in domains if domain.authorizer_function), None)


class GatewayAuthorizer:
    """Runs the platform's authorizer for every route that is not public."""

    def __init__(self, authorize: Authorize, cache_seconds: int) -> None:
        self.authorize = authorize
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, dict[str, Any] | None]] = {}
        self._lock = threading.Lock()

    def apply(self, match: RouteMatch, event: dict[str, Any]) -> Refusal | None:
        """Let the request through (its context filled in), or answer how API Gateway refuses it."""
        if match.route.access is Access.PUBLIC:
            return None
        identity = (event.get("headers") or {}).get("authorization")
        if not identity:
            return UNAUTHORIZED
        context = self._decide(identity, event)
        if isinstance(context, Refusal):
            return context
        if context is None:
            return FORBIDDEN
        event["requestContext"]["authorizer"] = {"lambda": context}
        return None

    def _decide(self, identity: str, event: dict[str, Any]) -> dict[str, Any] | Refusal | None:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(identity)
        if cached and cached[0] > now:
            return cached[1]
        try:
            answer = self.authorize(authorizer_event(event, identity))
        except Exception:
            return AUTHORIZER_FAILED
        if not isinstance(answer, dict) or not isinstance(answer.get("isAuthorized"), bool):
            return AUTHORIZER_FAILED
        context = dict(answer.get("context") or {}) if answer["isAuthorized"] else None
        if self.cache_seconds:
            with self._lock:
                self._cache[identity] = (now + self.cache_seconds, context)
        return context

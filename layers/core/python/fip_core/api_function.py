"""The Lambda entry point of a domain's HTTP API, which loads a route's code when the route is first
asked for: a cold start pays for the resolver and the routes it serves, not for every route of the
domain (their models, data access, probes and AWS clients).

Importing this module imports nothing but the standard library and the container helpers, so that a
handler module that uses it imports in about the time of boto3, pydantic and Powertools themselves
(bench/cold_start.py). The first request then loads the resolver (fip_core.http), the declaration
and the module of its route; each later request for a route of another module loads that module.
"""

from __future__ import annotations

import gc
import importlib
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from fip_core.observability import LambdaHandler

ROUTER_ATTRIBUTE = "router"  # the Powertools Router of a route module


class ApiFunction:
    """A domain's API function: its declared routes, grouped by the module that registers them."""

    def __init__(self, domain: str, declaration_module: str, route_modules: Mapping[str, tuple[str, ...]]) -> None:
        """`route_modules` maps each route module (a dotted name) to the route keys its router registers
        (`GET /services/{service_id}`); `declaration_module` holds the domain's `DECLARATION`."""
        self.domain = domain
        self.declaration_module = declaration_module
        self.route_modules = dict(route_modules)
        self.module_of = {key: module for module, keys in self.route_modules.items() for key in keys}
        self._loaded: set[str] = set()
        self._started: tuple[APIGatewayHttpResolver, LambdaHandler] | None = None
        # the local platform may build the OpenAPI document while a request loads a route
        self._lock = threading.RLock()

    def handler(self, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        """The Lambda entry point."""
        _, entry = self._started or self._start()
        return entry(event, context)

    def resolver(self) -> APIGatewayHttpResolver:
        """The resolver with every route of the domain loaded: for the OpenAPI document and the tests."""
        resolver, _ = self._start()
        for module in self.route_modules:
            self._load(module)
        return resolver

    def module_attribute(self, name: str) -> Any:
        """The handler module's `__getattr__`: its `app` is the resolver with every route loaded, which the
        local platform reads the OpenAPI document from (`local_platform.openapi.RESOLVER_ATTRIBUTE`)."""
        if name == "app":
            return self.resolver()
        raise AttributeError(f"no attribute {name!r}")

    def loaded_modules(self) -> frozenset[str]:
        """The route modules loaded so far in this container."""
        return frozenset(self._loaded)

    def _start(self) -> tuple[APIGatewayHttpResolver, LambdaHandler]:
        with self._lock:
            if self._started is None:
                from fip_core.http import api_handler, create_resolver  # noqa: PLC0415 - the point of this module
                from fip_core.observability import observability  # noqa: PLC0415

                declaration = importlib.import_module(self.declaration_module).DECLARATION
                obs = observability(self.domain)
                resolver = create_resolver(obs)
                self._started = resolver, api_handler(resolver, obs, declaration, self._load_route)
            return self._started

    def _load_route(self, route_key: str) -> None:
        module = self.module_of.get(route_key)
        if module is not None and module not in self._loaded:
            self._load(module)

    def _load(self, module: str) -> None:
        with self._lock:
            if module in self._loaded:
                return
            resolver, _ = self._start()
            resolver.include_router(getattr(importlib.import_module(module), ROUTER_ATTRIBUTE))
            self._loaded.add(module)
            # what was just loaded (modules, models, schemas) lives as long as the container: kept out of
            # the collector's way, so that a full collection during a request walks the request's objects
            # rather than every schema loaded (the p99 of warm requests; bench/api_warm.py)
            gc.freeze()

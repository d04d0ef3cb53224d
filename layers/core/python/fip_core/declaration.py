"""What a domain exposes, declared once and read by both the CDK app and the local platform.

A domain lists its functions, the HTTP routes its API function serves, the events it subscribes to
and its schedules. The CDK app turns this into API Gateway routes, EventBridge rules and schedules;
the local platform into its gateway's routing table, its event delivery and its timers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_PATH_PARAMETER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class HttpRoute:
    """One method and path of the HTTP API, in API Gateway syntax: `/services/{service_id}`."""

    method: str
    path: str
    public: bool = False  # reachable without signing in (docs, health)

    @property
    def resolver_path(self) -> str:
        """The same path in the Powertools resolver's syntax: `/services/<service_id>`."""
        return _PATH_PARAMETER.sub(r"<\1>", self.path)

    @property
    def route_key(self) -> str:
        """The API Gateway route key, `GET /services`."""
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class FunctionDeclaration:
    """One Lambda function of a domain."""

    name: str  # short, unique within the domain: 'api', 'health-sweep'
    handler: str  # dotted path below the domain's code package, e.g. 'registry.handlers.api.handler'
    description: str
    timeout_seconds: int = 29
    memory_mb: int = 512
    reaches_internet: bool = False  # calls external services, so it needs a route out of the VPC


@dataclass(frozen=True)
class EventSubscription:
    """A function that receives events of some detail types from the platform's bus."""

    function: str
    detail_types: tuple[str, ...]
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Schedule:
    """A function invoked on a fixed rate."""

    name: str
    function: str
    rate_minutes: int
    description: str


@dataclass(frozen=True)
class DomainDeclaration:
    """Everything one domain exposes."""

    name: str
    functions: tuple[FunctionDeclaration, ...]
    api_function: str
    routes: tuple[HttpRoute, ...]
    migrations_function: str
    subscriptions: tuple[EventSubscription, ...] = field(default=())
    schedules: tuple[Schedule, ...] = field(default=())

    def function(self, name: str) -> FunctionDeclaration:
        """The declared function of that name."""
        for function in self.functions:
            if function.name == name:
                return function
        raise KeyError(f"{self.name} declares no function {name!r}")

    def __post_init__(self) -> None:
        names = {f.name for f in self.functions}
        referenced = {self.api_function, self.migrations_function}
        referenced |= {s.function for s in self.subscriptions} | {s.function for s in self.schedules}
        if missing := referenced - names:
            raise ValueError(f"{self.name} refers to undeclared functions {sorted(missing)}")
        keys = [r.route_key for r in self.routes]
        if len(keys) != len(set(keys)):
            raise ValueError(f"{self.name} declares a route twice")

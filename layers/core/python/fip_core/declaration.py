"""What a domain exposes, declared once and read by both the CDK app and the local platform.

A domain lists its functions, the HTTP routes its API function serves, the events it subscribes to
(other domains' and AWS services'), its schedules, its AWS resources (`fip_core.resources`) and
the other domains' internal functions it calls. The CDK app turns this into API Gateway routes,
EventBridge rules, schedules, resources and IAM grants; the local platform into its gateway's
routing table, its event delivery, its timers, resources in moto or LocalStack and its Lambda
Invoke endpoint.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from fip_core.access import Access
from fip_core.platform_events import DomainEvent
from fip_core.resources import AwsEventSubscription, ResourceSpec, variable_stem

_PATH_PARAMETER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Throttle:
    """A route's own limit at API Gateway, below the API's: requests a second, steady and in a burst, for
    every caller together. For routes anybody may call that cost something (an email sent, a password
    hashed)."""

    rate_per_second: float
    burst: int


@dataclass(frozen=True)
class HttpRoute:
    """One method and path of the HTTP API, in API Gateway syntax: `/services/{service_id}`."""

    method: str
    path: str
    access: Access  # who may call it; no default, so a new route cannot be added without a rule
    throttle: Throttle | None = None  # its own, lower limit; the API's default otherwise

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
    publishes_events: bool = False  # relays its domain's outbox to the event bus
    # the other domains whose functions may invoke this one (each declaring the call): an internal function
    callers: tuple[str, ...] = ()


@dataclass(frozen=True)
class InternalCall:
    """One of a domain's functions invokes another domain's internal function through Lambda's Invoke
    API (`fip_core.calls`). The target's declaration names this domain among its `callers`; only the
    calling function's role may invoke it, and it is told the target's name in `variable`."""

    function: str  # the caller, in the declaring domain
    domain: str  # the target's domain
    target: str  # the target function

    def variable(self, caller_domain: str) -> str:
        """The environment variable that names the target function: `JOBS_USERS_CREDENTIALS_FUNCTION_NAME`."""
        return f"{variable_stem(caller_domain)}_{self.settings_prefix}FUNCTION_NAME"

    @property
    def settings_prefix(self) -> str:
        """The target's part of the variable's name: `USERS_CREDENTIALS_`."""
        return f"{variable_stem(self.domain)}_{variable_stem(self.target)}_"


@dataclass(frozen=True)
class EventSubscription:
    """A function that receives some of the platform's events from its bus, optionally only from
    some sources (`fip.<domain>`)."""

    function: str
    events: tuple[type[DomainEvent], ...]
    sources: tuple[str, ...] = ()

    @property
    def detail_types(self) -> tuple[str, ...]:
        """The events' names, which are their detail types on the bus."""
        return tuple(dict.fromkeys(event.name for event in self.events))


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
    authorizer_function: str | None = None  # the platform's one Lambda authorizer, if this domain has it
    authorizer_cache_seconds: int = 60  # how long the gateway reuses a decision for the same token
    bootstrap_function: str | None = None  # creates first data (the first admin); invoked by hand or locally
    resources: tuple[ResourceSpec, ...] = field(default=())
    aws_subscriptions: tuple[AwsEventSubscription, ...] = field(default=())  # AWS services' events on the default bus
    calls: tuple[InternalCall, ...] = field(default=())  # other domains' internal functions it invokes
    publishes: tuple[type[DomainEvent], ...] = field(default=())  # the events its outbox may hold
    relay_function: str | None = None  # relays the outbox on a schedule; every publishing domain has one

    def access(self, route_key: str) -> Access | None:
        """The access rule of a route, by its API Gateway route key."""
        return next((route.access for route in self.routes if route.route_key == route_key), None)

    def function(self, name: str) -> FunctionDeclaration:
        """The declared function of that name."""
        for function in self.functions:
            if function.name == name:
                return function
        raise KeyError(f"{self.name} declares no function {name!r}")

    @property
    def invoked_functions(self) -> set[str]:
        """The functions the platform itself invokes: by route, authorizer, deploy, schedule or event."""
        invoked = {self.api_function, self.migrations_function}
        invoked |= {self.authorizer_function} if self.authorizer_function else set()
        return invoked | self.asynchronously_invoked_functions

    @property
    def asynchronously_invoked_functions(self) -> set[str]:
        """The functions invoked by events, schedules and resources' notifications: Lambda retries them,
        then sends what still failed to the domain's on-failure destination."""
        subscribed = {s.function for s in self.subscriptions} | {s.function for s in self.aws_subscriptions}
        notified = {function for resource in self.resources for function in resource.notified()}
        return subscribed | notified | {s.function for s in self.schedules}

    def __post_init__(self) -> None:
        names = {f.name for f in self.functions}
        referenced = self.invoked_functions | ({self.bootstrap_function} if self.bootstrap_function else set())
        referenced |= {name for resource in self.resources for name in resource.access()}
        referenced |= {call.function for call in self.calls}
        if missing := referenced - names:
            raise ValueError(f"{self.name} refers to undeclared functions {sorted(missing)}")
        keys = [r.route_key for r in self.routes]
        if len(keys) != len(set(keys)):
            raise ValueError(f"{self.name} declares a route twice")
        resource_names = [resource.name for resource in self.resources]
        if len(resource_names) != len(set(resource_names)):
            raise ValueError(f"{self.name} declares a resource name twice")
        if strays := [s.resource.name for s in self.aws_subscriptions if s.resource not in self.resources]:
            raise ValueError(f"{self.name} subscribes to events of resources it does not declare: {strays}")
        if called := [f.name for f in self.functions if f.callers and f.name in self.invoked_functions]:
            raise ValueError(
                f"{self.name}: {called} have callers, so they must be internal (no route, event or schedule)"
            )
        self._check_publishing()

    def _check_publishing(self) -> None:
        relaying = [f.name for f in self.functions if f.publishes_events]
        if relaying and not self.publishes:
            raise ValueError(f"{self.name}: functions {relaying} relay events, but the domain publishes none")
        if not self.publishes:
            return
        if self.relay_function is None:
            raise ValueError(f"{self.name} publishes events but declares no relay_function to relay them on a schedule")
        if self.relay_function not in {f.name for f in self.functions}:
            raise ValueError(f"{self.name} refers to an undeclared relay function {self.relay_function!r}")
        if not self.function(self.relay_function).publishes_events:
            raise ValueError(f"{self.name}'s relay function must be declared with publishes_events=True")
        if not any(s.function == self.relay_function for s in self.schedules):
            raise ValueError(f"{self.name}'s relay function {self.relay_function!r} has no schedule")


def cross_domain_problems(domains: Sequence[DomainDeclaration]) -> list[str]:
    """What is wrong with the calls between these domains: a call its target does not allow (its
    `callers` lack the calling domain), an allowed caller that declares no call, a target that does not
    exist. Both sides must say it, so that neither can open a way in alone."""
    by_name = {domain.name: domain for domain in domains}
    problems: list[str] = []
    declared: set[tuple[str, str, str]] = set()  # (caller's domain, target's domain, target)
    for domain in domains:
        for call in domain.calls:
            declared.add((domain.name, call.domain, call.target))
            target_domain = by_name.get(call.domain)
            if target_domain is None or call.target not in {f.name for f in target_domain.functions}:
                problems.append(
                    f"{domain.name}/{call.function} calls {call.domain}/{call.target}, which is not declared"
                )
            elif domain.name not in target_domain.function(call.target).callers:
                problems.append(
                    f"{domain.name}/{call.function} calls {call.domain}/{call.target}, whose callers "
                    f"{list(target_domain.function(call.target).callers)} do not include {domain.name}"
                )
    for domain in domains:
        for function in domain.functions:
            for caller in function.callers:
                if (caller, domain.name, function.name) not in declared:
                    problems.append(
                        f"{domain.name}/{function.name} lets {caller} call it, but {caller} declares no such call"
                    )
    return problems

"""Deployment profiles (`cdk deploy -c profile=small|standard`) and what follows from them: the
database's capacity, the way out of the VPC, how often schedules may wake the database, and how many
concurrent executions each database-using function may have, so that together they can never open
more connections than the cluster takes."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from aws_cdk import Duration

from fip_core.declaration import DomainDeclaration

PROFILE_CONTEXT_KEY = "profile"
DEFAULT_PROFILE = "standard"
# `-c cluster_per_domain=true`: a cluster for each domain, for deployments large enough to want it
CLUSTER_PER_DOMAIN_CONTEXT_KEY = "cluster_per_domain"
# `-c reserved_concurrency=N`: at most this much of the account's Lambda concurrency is reserved for the
# platform's functions. Lambda keeps 100 unreserved per account: the default fits the default quota of 1,000.
RESERVED_CONCURRENCY_CONTEXT_KEY = "reserved_concurrency"
DEFAULT_RESERVED_CONCURRENCY = 800

# Aurora PostgreSQL's default max_connections is LEAST(DBInstanceClassMemory / 9531392, 5000); a
# Serverless v2 instance is sized by its maximum capacity, 2 GiB per ACU, of which the engine gets
# about 84% (AWS documents 189 connections at 1 ACU; 189 * 9531392 / 2 GiB = 0.839). With a minimum
# of 0 or 0.5 ACU it is capped at 2,000.
# https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Managing.html
# https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.setting-capacity.html
BYTES_PER_ACU = 2 * 1024**3
ENGINE_MEMORY_FRACTION = 0.839
BYTES_PER_CONNECTION = 9_531_392
ENGINE_CONNECTION_CAP = 5000
LOW_MINIMUM_CONNECTION_CAP = 2000
# Connections kept out of the functions' budget: PostgreSQL's reserved superuser slots (3) and Aurora's
# (2), the provisioning step, the secrets' rotations, an operator's psql.
CONNECTION_HEADROOM = 12
# Per domain, the owner role's connections: its migrations function runs one at a time.
MIGRATIONS_CONCURRENCY = 1
# A function on the request path (a domain's API function, the authorizer) weighs this many
# background functions (schedules, subscriptions, internal functions) in the split of the budget.
REQUEST_PATH_WEIGHT = 4


class NatKind(StrEnum):
    """How functions in the private subnets reach the internet."""

    GATEWAY = "gateway"  # managed, highly available, about $33 a month before traffic
    INSTANCE = "instance"  # a t4g.nano that forwards, about $7 a month with its address and disk


@dataclass(frozen=True)
class DeploymentProfile:
    """What a deployment trades between idle cost and readiness."""

    name: str
    database_min_capacity: float  # ACU; 0 lets the cluster pause
    database_max_capacity: float
    database_auto_pause: Duration | None  # idle time before a cluster at 0 ACU pauses
    nat: NatKind
    schedule_floor_minutes: int  # no schedule runs more often, so that a paused cluster may stay paused
    align_schedules: bool  # schedules fire together on the hour, so that they wake a paused cluster once
    description: str


PROFILES: Mapping[str, DeploymentProfile] = {
    "small": DeploymentProfile(
        name="small",
        database_min_capacity=0,
        database_max_capacity=2,
        database_auto_pause=Duration.minutes(5),
        nat=NatKind.INSTANCE,
        schedule_floor_minutes=60,
        align_schedules=True,
        description="pauses the database when idle (the first request after answers 503 with Retry-After)",
    ),
    "standard": DeploymentProfile(
        name="standard",
        database_min_capacity=0.5,
        database_max_capacity=4,
        database_auto_pause=None,
        nat=NatKind.GATEWAY,
        schedule_floor_minutes=1,
        align_schedules=False,
        description="keeps the database warm at 0.5 ACU and a managed NAT gateway",
    ),
}


def profile_named(name: str | None) -> DeploymentProfile:
    """The profile of that name (the default when none is given); refused with the choices otherwise."""
    chosen = name or DEFAULT_PROFILE
    if chosen not in PROFILES:
        raise ValueError(f"unknown profile {chosen!r}: choose one of {sorted(PROFILES)} with -c profile=<name>")
    return PROFILES[chosen]


def max_connections(min_capacity: float, max_capacity: float) -> int:
    """Aurora PostgreSQL Serverless v2's default max_connections for a capacity range."""
    memory = max_capacity * BYTES_PER_ACU * ENGINE_MEMORY_FRACTION
    connections = min(math.floor(memory / BYTES_PER_CONNECTION), ENGINE_CONNECTION_CAP)
    if min_capacity <= 0.5:
        connections = min(connections, LOW_MINIMUM_CONNECTION_CAP)
    return connections


@dataclass(frozen=True)
class ConcurrencyPlan:
    """The reserved concurrency of every database-using function, by domain and function name."""

    cluster_connections: int  # what one cluster takes
    budget: int  # what all the functions on one cluster may hold at once
    reserved: Mapping[tuple[str, str], int]

    def app_connections(self, domain: DomainDeclaration) -> int:
        """The most connections a domain's app role may hold: its non-migration functions together."""
        return sum(
            self.reserved[(domain.name, function.name)]
            for function in domain.functions
            if function.name != domain.migrations_function
        )


def concurrency_plan(
    profile: DeploymentProfile,
    domains: Sequence[DomainDeclaration],
    cluster_per_domain: bool = False,
    reserved_limit: int = DEFAULT_RESERVED_CONCURRENCY,
) -> ConcurrencyPlan:
    """Split the cluster's connections (less a headroom) among the functions on it, each holding at
    most one connection per execution: the request path weighs more, migrations run one at a time.
    The whole is also kept within the Lambda concurrency the account can reserve."""
    connections = max_connections(profile.database_min_capacity, profile.database_max_capacity)
    per_cluster = connections - CONNECTION_HEADROOM
    groups = [[domain] for domain in domains] if cluster_per_domain else [list(domains)]
    # the account limit is shared by all clusters' functions
    account_share = reserved_limit // len(groups)
    budget = min(per_cluster, account_share)
    reserved: dict[tuple[str, str], int] = {}
    for group in groups:
        weights: dict[tuple[str, str], int] = {}
        fixed = 0
        for domain in group:
            request_path = {domain.api_function, domain.authorizer_function}
            for function in domain.functions:
                key = (domain.name, function.name)
                if function.name == domain.migrations_function:
                    reserved[key] = MIGRATIONS_CONCURRENCY
                    fixed += MIGRATIONS_CONCURRENCY
                else:
                    weights[key] = REQUEST_PATH_WEIGHT if function.name in request_path else 1
        shared = budget - fixed
        total_weight = sum(weights.values())
        if shared < total_weight:
            raise ValueError(
                f"{connections} connections at {profile.database_max_capacity} ACU leave too few for {len(weights)} "
                "functions: raise the profile's maximum capacity or deploy a cluster per domain"
            )
        for key, weight in weights.items():
            reserved[key] = shared * weight // total_weight
    return ConcurrencyPlan(cluster_connections=connections, budget=budget, reserved=reserved)

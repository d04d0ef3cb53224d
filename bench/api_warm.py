"""Warm API requests in-process: a handler called the way API Gateway calls it after the authorizer
let the caller through, in a container that has served the route before, on SQLite and on a real
PostgreSQL (started as the tests start it), with tracing and metrics off.

Printed, one JSON line per route and database (`name` `api_warm`): `p50_ms`, `p99_ms` and the
sample count for `GET /services?limit=100` (100 services registered), `GET /service-health`,
`GET /ga4gh/registry/v1/services` and `GET /me` (one profile with a role). Floors for the list of
100 services: p50 within 5 ms and p99 within 25 ms.

Run with `make bench` (or `python -m bench.api_warm`; `--profile ROUTE` prints where a warm
request's time goes instead, with pyinstrument).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from bench.support import database_servers, emit, percentile, quiet_powertools
from local_platform.config import REPO_ROOT

SERVICES = 100
WARM_UP = 50
ROUNDS = 10
PER_ROUND = 100  # requests of each route per round; the routes take turns, so each sees the machine alike
P50_FLOOR_MS = 5.0
P99_FLOOR_MS = 25.0
USER_ID = "bench-user"


@dataclass(frozen=True)
class WarmRoute:
    """A route and the request the benchmark sends it."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        """The route as the figures name it: `GET /services?limit=100`."""
        query = "&".join(f"{key}={value}" for key, value in self.query)
        return f"{self.method} {self.path}" + (f"?{query}" if query else "")


ROUTES = (
    WarmRoute("GET", "/services", (("limit", str(SERVICES)),)),
    WarmRoute("GET", "/service-health"),
    WarmRoute("GET", "/ga4gh/registry/v1/services"),
    WarmRoute("GET", "/me"),
)


def _seed(now: datetime) -> None:
    """100 services with a health history, and one user with a profile and a role."""
    from registry.dal.unit_of_work import registry_repository
    from registry.models.services import Location, ServiceCreate
    from users.dal.unit_of_work import users_repository
    from users.domain import NewProfile, UserStatus

    with registry_repository() as repo:
        for index in range(SERVICES):
            repo.services.add(
                ServiceCreate(
                    name=f"Imputation service {index}",
                    slug=f"service-{index}",
                    api_type="michigan" if index % 2 else "ga4gh_wes",
                    base_url=f"https://impute-{index}.example.org",
                    institution="AfriGen-D",
                    description="A service registered for the benchmark",
                    location=Location(country="ZA", city="Cape Town", latitude=-33.92, longitude=18.42),
                ),
                now,
            )
    with users_repository() as repo:
        profile = NewProfile(name="Bench", institution="UCT", department=None, country="ZA")
        repo.users.add(USER_ID, "bench@example.org", profile, UserStatus.ACTIVE, now)


def request_event(route: WarmRoute) -> tuple[str, dict[str, Any]]:
    """The module of the API function that serves a route, and the event API Gateway sends it after the
    authorizer let the benchmark's admin through."""
    from fip_core.access import Grant, Principal, Role
    from infra.domains import DOMAINS
    from local_platform.events import http_api_event
    from local_platform.routing import RouteTable

    match = RouteTable(DOMAINS).match(route.method, route.path)
    assert match is not None, route
    principal = Principal(user_id=USER_ID, email="bench@example.org", method="cognito", grants=[Grant(role=Role.ADMIN)])
    event = http_api_event(
        route.method,
        route.path,
        route_key=match.route.route_key,
        path_parameters=match.path_parameters,
        query=dict(route.query),
        authorizer={"lambda": principal.to_context()},
    )
    return match.domain.function(match.domain.api_function).handler.rpartition(".")[0], event


def _requests() -> dict[WarmRoute, Callable[[], dict[str, Any]]]:
    """For each route, a call of its domain's handler with the event API Gateway would send."""
    import importlib

    from local_platform.events import lambda_context

    calls: dict[WarmRoute, Callable[[], dict[str, Any]]] = {}
    for route in ROUTES:
        module, event = request_event(route)
        calls[route] = partial(importlib.import_module(module).handler, event, lambda_context(module))
    return calls


def _measure(calls: dict[WarmRoute, Callable[[], dict[str, Any]]]) -> dict[WarmRoute, list[float]]:
    for call in calls.values():
        for _ in range(WARM_UP):
            answer = call()
            assert answer["statusCode"] == 200, answer
    samples: dict[WarmRoute, list[float]] = {route: [] for route in calls}
    for _ in range(ROUNDS):
        for route, call in calls.items():
            for _ in range(PER_ROUND):
                started = time.perf_counter()
                call()
                samples[route].append(time.perf_counter() - started)
    return samples


def _check_answers(calls: dict[WarmRoute, Callable[[], dict[str, Any]]]) -> None:
    import json

    listed = json.loads(calls[ROUTES[0]]()["body"])
    assert len(listed["items"]) == SERVICES == listed["total"], listed["total"]


@contextmanager
def seeded_databases(backend: str = "sqlite") -> Iterator[dict[str, str]]:
    """Every domain's database on this backend, migrated and seeded, the handlers of this process pointed
    at them; answers the variables that point another process's handlers at them too."""
    from fip_core.container import forget_container
    from registry.handlers.migrate import migrate as migrate_registry
    from users.handlers.migrate import migrate as migrate_users

    migrations = {"registry": migrate_registry, "users": migrate_users}
    with (
        tempfile.TemporaryDirectory(prefix="fip-bench-") as folder,
        database_servers(backend, Path(folder), tuple(migrations)) as urls,
    ):
        for domain, migrate in migrations.items():
            os.environ[f"{domain.upper()}_DATABASE_URL"] = urls[domain][0]
            forget_container()
            migrate({})
        served = {f"{domain.upper()}_DATABASE_URL": app for domain, (_, app) in urls.items()}
        os.environ.update(served)  # served as the app roles, as in the cloud
        forget_container()
        _seed(datetime.now(UTC))
        yield served
        forget_container()


def run(backend: str, profile_route: str | None) -> None:
    """Seed, warm up and measure (or profile) on one backend, in this process."""
    with seeded_databases(backend):
        calls = _requests()
        _check_answers(calls)
        if profile_route is not None:
            _profile(calls, profile_route)
            return
        for route, samples in _measure(calls).items():
            p50, p99 = percentile(samples, 0.50) * 1000, percentile(samples, 0.99) * 1000
            record: dict[str, Any] = {
                "name": "api_warm",
                "route": route.label,
                "database": backend,
                "p50_ms": round(p50, 2),
                "p99_ms": round(p99, 2),
                "mean_ms": round(statistics.fmean(samples) * 1000, 2),
                "samples": len(samples),
            }
            if route is ROUTES[0]:
                record.update(
                    p50_floor_ms=P50_FLOOR_MS, p99_floor_ms=P99_FLOOR_MS,
                    within_floor=p50 <= P50_FLOOR_MS and p99 <= P99_FLOOR_MS,
                )  # fmt: skip
            emit(record)


def _profile(calls: dict[WarmRoute, Callable[[], dict[str, Any]]], label: str) -> None:
    from pyinstrument import Profiler

    call = next(call for route, call in calls.items() if route.label == label)
    for _ in range(WARM_UP):
        call()
    profiler = Profiler(interval=0.0002)
    with profiler:
        for _ in range(ROUNDS * PER_ROUND):
            call()
    print(profiler.output_text(unicode=True, color=False, show_all=os.environ.get("BENCH_PROFILE_ALL") == "1"))


def main() -> None:
    """Each backend in a fresh process of its own, as a new container."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=("sqlite", "postgresql"))
    parser.add_argument("--profile", metavar="ROUTE", help="e.g. 'GET /services?limit=100'")
    arguments = parser.parse_args()
    if arguments.database is None:
        for backend in ("sqlite", "postgresql"):
            command = [sys.executable, "-m", "bench.api_warm", "--database", backend]
            if arguments.profile:
                command += ["--profile", arguments.profile]
            subprocess.run(command, check=True, cwd=REPO_ROOT)
        return
    with quiet_powertools():
        run(arguments.database, arguments.profile)


if __name__ == "__main__":
    main()

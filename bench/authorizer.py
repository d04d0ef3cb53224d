"""Authorizer benchmark: the cost of a cold start's import, of a first decision (the pool's signing
keys fetched), of warm decisions for a Cognito token, for a personal API token and for an admin's
token (whose second factor Cognito is asked about), and of a decision served from the gateway's
cache, which is what API Gateway does for the same token within the TTL.

Run with `make bench` (or `python -m bench.authorizer`).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.support import emit, moto_environment
from local_platform.config import REPO_ROOT

IMPORT_RUNS = 5
WARM_RUNS = 200
CACHED_RUNS = 2000


def _import_seconds() -> float:
    code = "import time; t = time.perf_counter(); import users.handlers.authorizer; print(time.perf_counter() - t)"
    runs = []
    for _ in range(IMPORT_RUNS):
        answer = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
        runs.append(float(answer.stdout.strip()))
    return statistics.median(runs)


def _median_seconds(action: Callable[[], Any], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    """Measure and print one JSON line."""
    with tempfile.TemporaryDirectory(prefix="fip-bench-") as folder, moto_environment(Path(folder)):
        _run()


def _run() -> None:
    from infra.domains import DOMAINS
    from local_platform.authorizer import GatewayAuthorizer
    from local_platform.aws import AwsEndpoints
    from local_platform.events import authorizer_event, http_api_event, lambda_context
    from local_platform.resources import provision_resources
    from local_platform.routing import RouteTable

    os.environ.update(provision_resources(AwsEndpoints(os.environ["AWS_ENDPOINT_URL"]), DOMAINS).environment)
    import_seconds = _import_seconds()

    from fip_core.access import Role
    from tests.support.accounts import grant, sign_up
    from tests.support.api import invoke_api
    from users.handlers import authorizer
    from users.handlers.migrate import migrate

    migrate({})
    account, admin = sign_up("bench@example.org"), sign_up("bench-admin@example.org")
    api_token = invoke_api("POST", "/me/api-tokens", body={"name": "bench"}, token=account.access_token).body["token"]
    grant(admin, Role.ADMIN)

    def decide(token: str) -> Callable[[], dict[str, Any]]:
        event = http_api_event("GET", "/me", route_key="GET /me", headers={"authorization": f"Bearer {token}"})
        request = authorizer_event(event, f"Bearer {token}")
        return lambda: authorizer.handler(request, lambda_context("users-authorizer"))

    authorizer._authenticator.cache_clear()  # noqa: SLF001 - a new container: signing keys not yet fetched
    first_decision = _median_seconds(decide(account.access_token), 1)
    cognito_warm = _median_seconds(decide(account.access_token), WARM_RUNS)
    api_token_warm = _median_seconds(decide(api_token), WARM_RUNS)
    admin_warm = _median_seconds(decide(admin.access_token), WARM_RUNS)
    assert "admin" in decide(admin.access_token)()["context"]["grants"]
    assert decide(account.access_token)()["isAuthorized"] is True

    match = RouteTable(DOMAINS).match("GET", "/me")
    assert match is not None
    gateway = GatewayAuthorizer(lambda event: authorizer.handler(event, lambda_context("users-authorizer")), 60)

    def through_gateway() -> None:
        event = http_api_event(
            "GET", "/me", route_key="GET /me", headers={"authorization": f"Bearer {account.access_token}"}
        )
        assert gateway.apply(match, event) is None

    through_gateway()  # the first call decides and fills the cache
    cached = _median_seconds(through_gateway, CACHED_RUNS)
    emit(
        {
            "name": "authorizer",
            "database": "sqlite",
            "cold_import_s": round(import_seconds, 4),
            "first_decision_s": round(first_decision, 4),
            "warm_cognito_decision_s": round(cognito_warm, 5),
            "warm_api_token_decision_s": round(api_token_warm, 5),
            "warm_admin_decision_s": round(admin_warm, 5),  # with AdminGetUser, here against moto on loopback
            "cached_decision_s": round(cached, 7),
            "wall_s": round(import_seconds + first_decision, 4),
            "warm_runs": WARM_RUNS,
            "cached_runs": CACHED_RUNS,
            "ratio_first_to_warm": round(first_decision / cognito_warm, 1),
            "ratio_warm_to_cached": round(cognito_warm / cached, 1),
        }
    )


if __name__ == "__main__":
    main()

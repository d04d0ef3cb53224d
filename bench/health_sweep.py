"""Health-sweep benchmark: 1,000 registered services on simulated endpoints that answer in 200 ms.

Prints the wall time of a sweep that finds every service new (1,000 status changes, so 1,000
events), of a steady-state sweep (the same services due again, nothing changes), the time of one
check alone, and their ratios; then a sweep where 50 of the services hang, which must still end
within the per-check timeout plus one second with every result recorded.

Run with `make bench` (or `python -m bench.health_sweep`).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.support import emit, moto_environment
from local_platform.config import REPO_ROOT

SERVICES = 1000
HANGING = 50
DELAY_S = 0.2
HANG_TIMEOUT_S = 3.0
FLOOR_S = 1.5


def _start(command: list[str]) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT)
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def _register(count: int, base_url: str, hanging: int) -> None:
    from registry.dal.unit_of_work import registry_repository
    from registry.models.services import ServiceCreate

    now = datetime.now(UTC)
    with registry_repository() as repo:
        for index in range(count):
            kind = "hang" if index < hanging else "cloudgene"
            repo.add_service(
                ServiceCreate(
                    name=f"Service {index}",
                    slug=f"service-{index}",
                    api_type="michigan",
                    base_url=f"{base_url}/{kind}/{index}",
                ),
                now,
            )


def _fresh_database() -> None:
    from fip_core.database import dispose_engines
    from local_platform.config import forget_database
    from registry.handlers.migrate import migrate

    dispose_engines()
    forget_database(os.environ["REGISTRY_DATABASE_URL"])
    migrate({})


def main() -> None:
    """Run the scenarios and print their figures."""
    simulated, port = _start([sys.executable, "-m", "tests.support.simulated_services", "--delay", str(DELAY_S)])
    try:
        with tempfile.TemporaryDirectory(prefix="fip-bench-") as folder, moto_environment(Path(folder)):
            _run(f"http://127.0.0.1:{port}")
    finally:
        simulated.terminate()


def _run(base_url: str) -> None:
    from registry.dal.repository import CheckTarget
    from registry.dal.unit_of_work import registry_repository
    from registry.logic.health import HealthPolicy, check_targets, run_sweep
    from registry.models.common import HealthStatus
    from registry.models.services import ServiceHealth
    from registry.settings import RegistrySettings

    policy = HealthPolicy.from_settings(RegistrySettings())
    _fresh_database()
    _register(SERVICES, base_url, hanging=0)

    one = CheckTarget(
        "x", "one", "One", "michigan", f"{base_url}/cloudgene/one", ServiceHealth(status=HealthStatus.UNKNOWN)
    )
    asyncio.run(check_targets([one], policy))  # warm up imports and the event loop
    started = time.perf_counter()
    asyncio.run(check_targets([one], policy))
    one_check = time.perf_counter() - started

    start = datetime.now(UTC)
    first = run_sweep(registry_repository, policy, lambda: start)
    steady = run_sweep(registry_repository, policy, lambda: start + timedelta(minutes=16))
    assert first.healthy == SERVICES, first
    assert steady.healthy == SERVICES, steady
    for label, report in (("first (every status changes)", first), ("steady state", steady)):
        emit(
            {
                "name": "health_sweep",
                "scenario": label,
                "services": SERVICES,
                "endpoint_delay_s": DELAY_S,
                "concurrency": policy.concurrency,
                "check_timeout_s": policy.check_timeout_seconds,
                "database": "sqlite",
                "wall_s": report.wall_seconds,
                "checked": report.checked,
                "events_queued": report.events_queued,
                "one_check_s": round(one_check, 4),
                "ratio_to_one_check": round(report.wall_seconds / one_check, 2),
                "sequential_estimate_s": round(one_check * SERVICES, 1),
                "speedup_vs_sequential": round(one_check * SERVICES / report.wall_seconds, 1),
                "floor_s": FLOOR_S,
                "within_floor": report.wall_seconds <= FLOOR_S,
            }
        )

    _fresh_database()
    _register(SERVICES, base_url, hanging=HANGING)
    hanging_policy = replace(policy, check_timeout_seconds=HANG_TIMEOUT_S)
    report = run_sweep(registry_repository, hanging_policy, lambda: datetime.now(UTC))
    with registry_repository() as repo:
        recorded = sum(len(repo.history(f"{s.id}", 5, None)) for s in repo.find_services(_all())[0])
    emit(
        {
            "name": "health_sweep_with_hanging_services",
            "services": SERVICES,
            "hanging": HANGING,
            "endpoint_delay_s": DELAY_S,
            "concurrency": policy.concurrency,
            "check_timeout_s": HANG_TIMEOUT_S,
            "wall_s": report.wall_seconds,
            "unhealthy": report.unhealthy,
            "results_recorded": recorded,
            "bound_s": HANG_TIMEOUT_S + 1,
            "ratio_to_timeout": round(report.wall_seconds / HANG_TIMEOUT_S, 2),
            "within_bound": report.wall_seconds <= HANG_TIMEOUT_S + 1
            and recorded == SERVICES
            and report.unhealthy == HANGING,
        }
    )


def _all() -> Any:
    from registry.models.services import ServiceQuery

    return ServiceQuery(limit=SERVICES * 2)


if __name__ == "__main__":
    main()

"""Health-sweep benchmark: 1,000 registered Cloudgene services on simulated endpoints that answer in
200 ms, against the floor the network sets.

A sweep asks each Cloudgene service two things at once, `GET /api/v2/server` (whether it is up and
not in maintenance) and `GET /api/v2/server/counters` (its queue, which ranks services for jobs):
2,000 requests. The floor is a bare asyncio client making the same 2,000 requests, one connection
each, a service's two at once, at the same
concurrency, against the same endpoints, measured in the same run right before each sweep; each
sweep runs three times and the line gives the median ratio and its spread. Printed, one JSON line
each:

- a first sweep (every service new: 1,000 status changes, 1,000 events published) and a steady
  sweep (the same services due again, nothing changes), with `floor_s` and `ratio_to_floor`
  (floors: steady within 1.3x, first within 2x);
- a sweep where 50 of the services hang, which must end within the check timeout plus one second
  with every result recorded;
- what the outbound policy's lookup costs per request: none for an address literal (what the
  sweeps above use), a getaddrinfo for a host name.

Run with `make bench` (or `python -m bench.health_sweep`). The machine's other work shows in the
figures: run it a few times and read the spread.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.support import emit, moto_environment
from local_platform.config import REPO_ROOT

if TYPE_CHECKING:
    from registry.models.health import SweepReport

SERVICES = 1000
PROBED_PATHS = ("/api/v2/server", "/api/v2/server/counters")  # what a check of a Cloudgene service asks
HANGING = 50
DELAY_S = 0.2
HANG_TIMEOUT_S = 3.0
STEADY_FLOOR_RATIO = 1.3
FIRST_FLOOR_RATIO = 2.0
LOOKUPS = 1000
ROUNDS = 3
CONCURRENCY = 500  # the default of REGISTRY_SWEEP_CONCURRENCY


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
            repo.services.add(
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


async def _bare_requests(port: int, count: int, concurrency: int) -> None:
    """The floor: the sweep's requests from a bare asyncio client, one connection each, a service's
    two (server info and counters) at once."""
    limit = asyncio.Semaphore(concurrency)

    async def get(path: str) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
        answer = await reader.read()
        writer.close()
        return answer

    async def one(index: int) -> list[bytes]:
        async with limit:
            return list(await asyncio.gather(*(get(f"/cloudgene/{index}{path}") for path in PROBED_PATHS)))

    answers = [answer for pair in await asyncio.gather(*(one(index) for index in range(count))) for answer in pair]
    assert all(answer.startswith(b"HTTP/1.1 200") for answer in answers)


def _floor(port: int, concurrency: int) -> float:
    started = time.perf_counter()
    asyncio.run(_bare_requests(port, SERVICES, concurrency))
    return time.perf_counter() - started


def main() -> None:
    """Run the scenarios and print their figures."""
    simulated, port = _start([sys.executable, "-m", "tests.support.simulated_services", "--delay", str(DELAY_S)])
    try:
        with tempfile.TemporaryDirectory(prefix="fip-bench-") as folder, moto_environment(Path(folder)):
            # the simulated services are on loopback, over plain HTTP, as under `make run`
            os.environ.update({"FIP_ALLOW_PRIVATE_NETWORKS": "true", "FIP_REQUIRE_HTTPS": "false"})
            _run(int(port))
    finally:
        simulated.terminate()


def _sweeps(port: int, scenario: str, rounds: list[tuple[float, SweepReport]], bound: float) -> dict[str, Any]:
    """One JSON line for rounds of (floor, sweep) measured back to back."""
    ratios = sorted(report.wall_seconds / floor for floor, report in rounds)
    report = rounds[-1][1]
    ratio = round(statistics.median(ratios), 2)
    return {
        "name": "health_sweep",
        "scenario": scenario,
        "services": SERVICES,
        "requests": SERVICES * len(PROBED_PATHS),
        "endpoint_delay_s": DELAY_S,
        "concurrency": CONCURRENCY,
        "database": "sqlite",
        "rounds": len(rounds),
        "wall_s": round(statistics.median(r.wall_seconds for _, r in rounds), 3),
        "floor_s": round(statistics.median(floor for floor, _ in rounds), 3),
        "ratio_to_floor": ratio,
        "ratio_spread": [round(ratios[0], 2), round(ratios[-1], 2)],
        "checked": report.checked,
        "status_changes": report.status_changes,
        "events_queued": report.events_queued,
        "bound_ratio": bound,
        "within_bound": ratio <= bound,
    }


def _run(port: int) -> None:
    from registry.handlers.wiring import health_adapters
    from registry.logic.health import HealthPolicy, run_sweep
    from registry.settings import RegistrySettings

    base_url = f"http://127.0.0.1:{port}"
    policy = replace(HealthPolicy.from_settings(RegistrySettings()), concurrency=CONCURRENCY)
    adapters = health_adapters()
    asyncio.run(_bare_requests(port, 10, 10))  # warm up the event loop and the simulated server

    # each sweep right after a floor of its own, so that both see the machine as it is at that moment
    first_rounds, steady_rounds = [], []
    for _ in range(ROUNDS):
        _fresh_database()
        _register(SERVICES, base_url, hanging=0)
        start = datetime.now(UTC)
        floor = _floor(port, CONCURRENCY)
        first = run_sweep(replace(adapters, clock=lambda moment=start: moment), policy)
        assert first.healthy == SERVICES == first.status_changes, first
        first_rounds.append((floor, first))
        floor = _floor(port, CONCURRENCY)
        later = start + timedelta(minutes=16)
        steady = run_sweep(replace(adapters, clock=lambda moment=later: moment), policy)
        assert steady.healthy == SERVICES, steady
        assert steady.status_changes == 0, steady
        steady_rounds.append((floor, steady))
    emit(_sweeps(port, "first (every status changes)", first_rounds, FIRST_FLOOR_RATIO))
    emit(_sweeps(port, "steady state", steady_rounds, STEADY_FLOOR_RATIO))

    _fresh_database()
    _register(SERVICES, base_url, hanging=HANGING)
    hanging_policy = replace(policy, check_timeout_seconds=HANG_TIMEOUT_S)
    report = run_sweep(adapters, hanging_policy)
    with adapters.transaction() as repo:
        recorded = sum(len(repo.health.history(s.id, 5, None)) for s in repo.services.active())
    emit(
        {
            "name": "health_sweep_with_hanging_services",
            "services": SERVICES,
            "hanging": HANGING,
            "endpoint_delay_s": DELAY_S,
            "concurrency": CONCURRENCY,
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
    emit(_lookup_cost(port))


def _lookup_cost(port: int) -> dict[str, object]:
    """What the policy's resolve-and-check step costs per request, one after the other, for a literal
    and for a name (getaddrinfo in asyncio's thread pool)."""
    from fip_core.outbound.policy import OutboundPolicy

    policy = OutboundPolicy(allow_private_networks=True, require_https=False)

    async def resolve_each(host: str) -> float:
        started = time.perf_counter()
        for _ in range(LOOKUPS):
            await policy.addresses(host, port)
        return time.perf_counter() - started

    literal = asyncio.run(resolve_each("127.0.0.1"))
    name = asyncio.run(resolve_each("localhost"))  # the hosts file answers: no DNS query leaves the machine
    return {
        "name": "outbound_lookup",
        "lookups": LOOKUPS,
        "literal_us_per_request": round(literal / LOOKUPS * 1e6, 1),
        "name_us_per_request": round(name / LOOKUPS * 1e6, 1),
        "name_s_per_1000": round(name, 3),
    }


if __name__ == "__main__":
    main()

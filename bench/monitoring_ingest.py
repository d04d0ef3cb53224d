"""Monitoring ingest benchmark: 100,000 events folded into the monitoring aggregates through the real
subscriber (fip_core.subscribers: reading each event with its model, the inbox, the domain's consumers
and data access), then the dashboards asked for through the API handler, on SQLite and on a real
PostgreSQL (started as the tests start it).

The mix, over the last 30 days: 15,000 jobs of 300 users on 20 services, each through pending,
submitted, queued, running and an outcome (80% completed, 15% failed, 5% cancelled): 75,000
JobStatusChanged, about 2% of them delivered late (after the job's next transition) and 1% twice;
the registry's ServiceHealthChanged naming the services; the rest ServicesChecked, one per batch of a
5-minute sweep (four services each, 20 ms to 2 s). Events are applied 500 to a transaction
(`receive_batch`, each still once by its id); a sample of 2,000 more is applied one per transaction,
as Lambda delivers them (`events_per_s_single`).

Printed, one JSON line per database (`name` `monitoring_ingest`): `events`, `events_per_s`,
`events_per_s_single`, `dashboard_p50_ms` and `dashboard_p99_ms` over the dashboards' requests together
(GET /dashboard, /dashboard/platform, /dashboard/services, /dashboard/services?hours=168,
/dashboard/services/at-risk, taking turns), and each route's own p50 and p99.

Run with `make bench` (or `python -m bench.monitoring_ingest [--database sqlite|postgresql]`).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.support import database_servers, emit, percentile, quiet_powertools
from local_platform.config import REPO_ROOT

EVENTS = 100_000
JOBS = 15_000
USERS = 300
SERVICES = 20
PER_ROUND = 4  # services per ServicesChecked: a sweep's checks are recorded in batches as they finish
BATCH = 500
SINGLE = 2_000
WARM_UP = 5
ROUNDS = 20
ROUTES = (
    ("GET /dashboard", "/dashboard", None, "user"),
    ("GET /dashboard/platform", "/dashboard/platform", None, "admin"),
    ("GET /dashboard/services", "/dashboard/services", None, "admin"),
    ("GET /dashboard/services?hours=168", "/dashboard/services", {"hours": "168"}, "admin"),
    ("GET /dashboard/services/at-risk", "/dashboard/services/at-risk", None, "admin"),
)


def _events(now: datetime, rng: random.Random) -> list[dict[str, Any]]:
    """The mix described above, oldest first as a bus would roughly deliver it."""
    from fip_core.platform_events import (
        JobStatusChanged,
        ServiceAtRisk,
        ServiceCheck,
        ServiceHealthChanged,
        ServicesChecked,
    )
    from tests.support.notifications import bus_event

    services = [f"00000000-0000-4000-8000-{n:012d}" for n in range(SERVICES)]
    timed: list[tuple[datetime, dict[str, Any]]] = []
    start = now - timedelta(days=30)
    for n, service_id in enumerate(services):
        named = ServiceHealthChanged(
            service_id=service_id, slug=f"service-{n}", service_name=f"Service {n}",
            previous_status="unknown", status="healthy", checked_at=start,
        )  # fmt: skip
        timed.append((start, bus_event(named, "registry")))
    ailing = services[-1]
    since = now - timedelta(days=25, hours=1)
    warning = ServiceAtRisk(
        service_id=ailing, slug="service-19", service_name="Service 19",
        unhealthy_since=since, deactivates_at=since + timedelta(days=30),
    )  # fmt: skip
    timed.append((now - timedelta(hours=1), bus_event(warning, "registry")))
    outcomes = ["completed"] * 16 + ["failed"] * 3 + ["cancelled"]
    for index in range(JOBS):
        created = start + timedelta(seconds=rng.uniform(0, 30 * 86_400 - 7_200))
        steps = ["pending", "submitted", "queued", "running", rng.choice(outcomes)]
        offsets = [0.0, rng.uniform(1, 30), 0.0, rng.lognormvariate(5, 1), rng.lognormvariate(8, 0.7)]
        offsets[2] = offsets[1] + 1
        offsets[3] += offsets[2]
        offsets[4] += offsets[3]
        for revision, (status, offset) in enumerate(zip(steps, offsets, strict=True), start=1):
            moment = created + timedelta(seconds=offset)
            event = JobStatusChanged(
                job_id=f"job-{index}", user_id=f"user-{index % USERS}", job_name=f"job {index}",
                service_id=services[index % SERVICES], service_name=f"Service {index % SERVICES}",
                previous_status=steps[revision - 2] if revision > 1 else None, status=status,
                revision=revision, created_at=created, changed_at=moment,
            )  # fmt: skip
            timed.append((moment, bus_event(event, "jobs")))
    rounds = EVENTS - len(timed) - len(timed) // 100  # room for 1% delivered twice
    sweep = timedelta(minutes=5)
    per_sweep = SERVICES // PER_ROUND
    for n in range(rounds):
        at = now - sweep * ((rounds - n) // per_sweep)
        part = (n % per_sweep) * PER_ROUND
        checks = [
            ServiceCheck(
                service_id=service_id,
                status="unhealthy" if service_id == ailing or rng.random() < 0.01 else "healthy",
                checked_at=at,
                response_time_ms=round(rng.lognormvariate(5, 0.8), 1) + 20,
            )
            for service_id in services[part : part + PER_ROUND]
        ]
        timed.append((at, bus_event(ServicesChecked(checks=checks), "registry")))
    timed.sort(key=lambda pair: pair[0])
    ordered = [event for _, event in timed]
    for _ in range(len(ordered) // 50):  # late: swapped with the next
        position = rng.randrange(len(ordered) - 1)
        ordered[position], ordered[position + 1] = ordered[position + 1], ordered[position]
    for _ in range(EVENTS - len(ordered)):  # twice
        ordered.insert(rng.randrange(len(ordered)), ordered[rng.randrange(len(ordered))])
    return ordered


def _ingest(events: list[dict[str, Any]]) -> tuple[float, float, float]:
    """Events per second applied in batches, and one per transaction on a sample; and the process's CPU
    seconds in the batches (the machine may be busy elsewhere: wall time then says less)."""
    from monitoring.handlers.on_event import subscriber_of
    from monitoring.logic.events import Ledger

    ledger = Ledger()
    subscriber = subscriber_of(ledger)
    bulk, single = events[:-SINGLE], events[-SINGLE:]
    started, cpu = time.perf_counter(), time.process_time()
    for offset in range(0, len(bulk), BATCH):
        outcomes = subscriber.receive_batch(bulk[offset : offset + BATCH])
        assert all(o.outcome != "quarantined" for o in outcomes), outcomes
    batched, cpu = len(bulk) / (time.perf_counter() - started), time.process_time() - cpu
    started = time.perf_counter()
    for event in single:
        subscriber.receive(event)
        ledger.signals.take()
    return batched, len(single) / (time.perf_counter() - started), cpu


def run(backend: str) -> None:
    """Migrate, ingest, check the figures, then measure the dashboards, on one backend."""
    from fip_core.access import Grant, Principal, Role
    from fip_core.container import forget_container
    from monitoring.handlers.migrate import migrate
    from tests.support.api import invoke_api

    now = datetime.now(UTC)
    events = _events(now, random.Random(2026))  # noqa: S311 - a fixed, realistic mix; nothing secret
    with (
        tempfile.TemporaryDirectory(prefix="fip-bench-") as folder,
        database_servers(backend, Path(folder), ("monitoring",)) as urls,
    ):
        owner, app = urls["monitoring"]
        os.environ["MONITORING_DATABASE_URL"] = owner
        forget_container()
        migrate({})
        os.environ["MONITORING_DATABASE_URL"] = app
        forget_container()
        batched, single, cpu = _ingest(events)
        admin = Principal(user_id="bench-admin", method="cognito", grants=[Grant(role=Role.ADMIN)])
        user = Principal(user_id="user-7", method="cognito", grants=[Grant(role=Role.RESEARCHER)])
        callers = {"admin": admin, "user": user}
        whole = invoke_api("GET", "/dashboard/platform", principal=admin).body
        assert whole["total"] == JOBS, whole["total"]
        assert sum(s["total"] for s in whole["by_service"]) == JOBS
        assert invoke_api("GET", "/dashboard/services/at-risk", principal=admin).body["services"]
        samples: dict[str, list[float]] = {label: [] for label, *_ in ROUTES}
        for round_number in range(WARM_UP + ROUNDS):
            for label, path, query, caller in ROUTES:
                started = time.perf_counter()
                answer = invoke_api("GET", path, query=query, principal=callers[caller])
                elapsed = time.perf_counter() - started
                assert answer.status == 200, answer.body
                if round_number >= WARM_UP:
                    samples[label].append(elapsed)
        together = [sample for values in samples.values() for sample in values]
        emit(
            {
                "name": "monitoring_ingest",
                "database": backend,
                "events": len(events),
                "jobs": JOBS,
                "users": USERS,
                "services": SERVICES,
                "batch": BATCH,
                "events_per_s": round(batched, 1),
                "events_per_s_single": round(single, 1),
                "ingest_cpu_s": round(cpu, 2),  # this process's CPU time in the batches (wall time is longer)
                "dashboard_p50_ms": round(percentile(together, 0.50) * 1000, 2),
                "dashboard_p99_ms": round(percentile(together, 0.99) * 1000, 2),
                "routes": {
                    label: {
                        "p50_ms": round(percentile(values, 0.50) * 1000, 2),
                        "p99_ms": round(percentile(values, 0.99) * 1000, 2),
                    }
                    for label, values in samples.items()
                },
            }
        )
        forget_container()


def main() -> None:
    """Each backend in a fresh process of its own, as a new container."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=("sqlite", "postgresql"))
    arguments = parser.parse_args()
    if arguments.database is None:
        for backend in ("sqlite", "postgresql"):
            subprocess.run(
                [sys.executable, "-m", "bench.monitoring_ingest", "--database", backend], check=True, cwd=REPO_ROOT
            )
        return
    with quiet_powertools():
        run(arguments.database)


if __name__ == "__main__":
    main()

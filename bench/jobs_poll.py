"""Jobs poll benchmark: one polling pass over 1,000 active jobs spread over 10 simulated Cloudgene
services (loopback HTTP servers in a process of their own) that answer each job's status in 100 ms,
at most 5 concurrent calls per service (`JOBS_POLL_CONCURRENCY_PER_SERVICE`).

The ideal is the network's: 1,000 x 0.1 s / (10 x 5) = 2 s. The pass is the `poll` function's own
logic (`jobs.logic.polling.poll_pass`) on SQLite, with the registry's and users domain's answers
given in process (one question per service, one per owner) and the events relayed to moto's bus:
a first pass, where every job moves from submitted to running (1,000 transitions and events), and a
steady pass a minute later, where nothing changes. Each prints one JSON line with `name`, `wall_s`,
`ideal_s`, `ratio`, `floor` (1.5) and `cpu_s`, the benchmark process's CPU time in the pass (the poll
is one process, as one Lambda invocation is: its CPU is spent on one core at a time).

Run with `make bench` (or `python -m bench.jobs_poll`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
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

SERVICES = 10
JOBS = 1000
DELAY_S = 0.1
CAP = 5
FLOOR = 1.5
TOKEN = "bench-token"  # noqa: S105 - what the simulated services are told, no secret
RUNNING = {
    "state": 2,
    "positionInQueue": -1,
    "steps": [{"id": 1, "name": "Imputation", "logMessages": [{"message": "chr20", "type": 3, "time": 0}]}],
    "outputParams": [],
}


async def _serve(count: int, delay: float) -> None:
    """`count` Cloudgene job APIs on loopback, each answering any job's status after `delay`; prints
    their ports on one line."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        job_id = head.split(b" ", 2)[1].decode().split("/")[4]
        await asyncio.sleep(delay)
        body = json.dumps({**RUNNING, "id": job_id}).encode()
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        writer.close()

    servers = [await asyncio.start_server(answer, "127.0.0.1", 0, backlog=1024) for _ in range(count)]
    print(" ".join(str(server.sockets[0].getsockname()[1]) for server in servers), flush=True)
    await asyncio.Event().wait()


class BenchDomains:
    """The registry's and users domain's answers, in process: every service a Cloudgene server on its port."""

    def __init__(self, ports: dict[str, int]) -> None:
        self.ports = ports

    def service(self, service_id: str) -> dict[str, Any]:
        """A Cloudgene service needing the owner's token."""
        url = f"http://127.0.0.1:{self.ports[service_id]}"
        return {"id": service_id, "api_type": "michigan", "base_url": url, "requires_user_token": True}

    def credential(self, user_id: str, service_id: str) -> dict[str, Any]:
        """The owner's token."""
        return {"token": TOKEN}

    def inputs(
        self, user_id: str, file_ids: list[str], *, links: bool, recipient: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """Never asked: no job is pending."""
        raise AssertionError("no job is pending in this benchmark")

    def discover(self, panel: str, build: str) -> dict[str, Any]:
        """Never asked: the poll routes nothing."""
        raise AssertionError("no job is routed in this benchmark")

    def results(self, call: dict[str, Any]) -> dict[str, Any]:
        """Never asked: no job completes."""
        raise AssertionError("no job completes in this benchmark")


def _store_jobs(services: list[str], now: datetime) -> None:
    """1,000 jobs submitted a minute ago, spread evenly over the services, each of its own owner."""
    from uuid import uuid4

    from jobs.dal.unit_of_work import STORE
    from jobs.domain import JobRecord, JobStatus
    from jobs.logic import lifecycle

    with STORE.transaction(relay=False) as repo:
        for index in range(JOBS):
            job = JobRecord.pending(
                now - timedelta(minutes=2), id=str(uuid4()), user_id=f"user-{index % 100}", name=f"job {index}",
                idempotency_key=str(index), request_digest="0" * 64, service_id=services[index % len(services)],
                service_name="Simulated", api_type="michigan", panel="apps@hrc-r1.1", build="hg19",
                phasing="eagle", population=None, r2_filter=None, mode="imputation", file_ids=[str(uuid4())],
            )  # fmt: skip
            lifecycle.create(repo, job)
            submitted_at = now - timedelta(minutes=1)
            changes = {"external_id": f"job-{index}", "next_poll_at": submitted_at}
            lifecycle.transition(repo, job, JobStatus.SUBMITTED, submitted_at, "taken", **changes)
    STORE.publish_pending_events()


def _run(ports: list[int]) -> None:
    from fip_core.outbound.loop import run
    from jobs.handlers.migrate import migrate
    from jobs.handlers.wiring import jobs_adapters
    from jobs.logic.polling import poll_pass
    from jobs.logic.submission import Timings
    from jobs.settings import jobs_settings
    from tests.support.jobs import Clock

    migrate({})
    services = [f"00000000-0000-4000-8000-{index:012d}" for index in range(SERVICES)]
    now = datetime.now(UTC)
    _store_jobs(services, now)
    timings = Timings.of(jobs_settings())
    ideal = JOBS * DELAY_S / (SERVICES * CAP)
    domains = BenchDomains(dict(zip(services, ports, strict=True)))
    for scenario, moment in (("first", now), ("steady", now + timedelta(minutes=1))):
        adapters = replace(jobs_adapters(), domains=domains, clock=Clock(moment))
        cpu = time.process_time()
        report = run(poll_pass(adapters, timings, cap=CAP, limit=JOBS * 2))
        cpu = time.process_time() - cpu
        assert report.polled == JOBS, report
        emit(
            {
                "name": f"jobs_poll_{scenario}",
                "jobs": JOBS,
                "services": SERVICES,
                "cap_per_service": CAP,
                "delay_s": DELAY_S,
                "transitions": report.transitions,
                "wall_s": report.wall_seconds,
                "ideal_s": ideal,
                "ratio": round(report.wall_seconds / ideal, 2),
                # the process's CPU time in the pass: far below wall_s, the machine was busy elsewhere
                "cpu_s": round(cpu, 3),
                "floor": FLOOR,
            }
        )


def main() -> None:
    """Start the simulated services, then measure the passes."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", type=int, help="only serve this many simulated services")
    arguments = parser.parse_args()
    if arguments.serve:
        asyncio.run(_serve(arguments.serve, DELAY_S))
        return
    command = [sys.executable, "-m", "bench.jobs_poll", "--serve", str(SERVICES)]
    served = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT)
    try:
        assert served.stdout is not None
        ports = [int(port) for port in served.stdout.readline().split()]
        with tempfile.TemporaryDirectory(prefix="fip-bench-") as folder, moto_environment(Path(folder)):
            # the simulated services are on loopback, over plain HTTP, as under `make run`
            os.environ.update({"FIP_ALLOW_PRIVATE_NETWORKS": "true", "FIP_REQUIRE_HTTPS": "false"})
            _run(ports)
    finally:
        served.terminate()
        served.wait()


if __name__ == "__main__":
    main()

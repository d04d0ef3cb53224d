"""What the benchmarks share: a moto server on loopback, the environment the handlers read, and
the JSON-lines output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fip_core.settings import EVENT_BUS_NAME, env_prefix
from infra.domains import DOMAINS
from local_platform.aws import aws_client, ensure_event_bus, free_port
from local_platform.config import FAKE_CREDENTIALS, REGION

# Powertools quiet and nothing reaching AWS: a call that was not meant to happen fails on loopback
QUIET_ENVIRONMENT = {
    **FAKE_CREDENTIALS,
    "AWS_DEFAULT_REGION": REGION,
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    "AWS_EC2_METADATA_DISABLED": "true",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "ERROR",
}


@contextmanager
def quiet_powertools() -> Iterator[None]:
    """The environment of a benchmark that needs no AWS service: fake credentials, a dead endpoint,
    Powertools quiet."""
    os.environ.update(QUIET_ENVIRONMENT)
    yield


def emit(record: dict[str, Any]) -> None:
    """Print one benchmark's figures as one JSON line."""
    print(json.dumps(record), flush=True)


@contextmanager
def moto_environment(state: Path) -> Iterator[None]:
    """A moto server on loopback with the platform's event bus, and the environment that points the
    handlers at it and at SQLite files in `state`, with Powertools quiet.

    moto runs in its own process, not in a thread of this one, so that it does not compete with the
    measured code for the interpreter."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    moto = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        os.environ.update(
            {
                **{
                    f"{env_prefix(domain.name)}DATABASE_URL": f"sqlite:///{state / domain.name}.db"
                    for domain in DOMAINS
                },
                **QUIET_ENVIRONMENT,
                "AWS_ENDPOINT_URL": endpoint,
            }
        )
        _wait_for(endpoint)
        ensure_event_bus(aws_client("events", endpoint), EVENT_BUS_NAME)
        yield
    finally:
        moto.terminate()
        moto.wait()


def _wait_for(endpoint: str) -> None:
    import httpx

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{endpoint}/moto-api/", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)


def percentile(samples: list[float], fraction: float) -> float:
    """The sample below which `fraction` of the samples lie (nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


@contextmanager
def database_servers(backend: str, folder: Path, domains: tuple[str, ...]) -> Iterator[dict[str, tuple[str, str]]]:
    """Each domain's (owner, app) database URLs: SQLite files in `folder`, or databases on a PostgreSQL
    server of their own, started as the tests start theirs."""
    if backend == "sqlite":
        yield {domain: (f"sqlite:///{folder / domain}.db",) * 2 for domain in domains}
        return
    from tests.support.postgres import INSTALL_HINT, PostgresServer, find_bin_dir

    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise SystemExit(f"PostgreSQL binaries not found: {INSTALL_HINT}")
    server = PostgresServer(bin_dir)
    server.start()
    try:
        provisioned = {domain: server.provision(f"bench_{domain}") for domain in domains}
        yield {domain: (urls.owner, urls.app) for domain, urls in provisioned.items()}
    finally:
        from fip_core.database import dispose_engines

        dispose_engines()
        server.stop()

"""What the benchmarks share: a moto server on loopback, the environment the handlers read, and
the JSON-lines output."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def emit(record: dict[str, Any]) -> None:
    """Print one benchmark's figures as one JSON line."""
    print(json.dumps(record), flush=True)


@contextmanager
def moto_environment(state: Path) -> Iterator[None]:
    """A moto server on loopback with the platform's event bus, and the environment that points the
    handlers at it and at SQLite files in `state`, with Powertools quiet."""
    port = free_port()
    moto = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        os.environ.update(
            {
                "REGISTRY_DATABASE_URL": f"sqlite:///{state / 'registry.db'}",
                "USERS_DATABASE_URL": f"sqlite:///{state / 'users.db'}",
                "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "eu-west-1",
                "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_METRICS_DISABLED": "true",
                "POWERTOOLS_LOG_LEVEL": "ERROR",
            }
        )
        _wait_for_moto(port)
        yield
    finally:
        moto.terminate()
        moto.wait()


def _wait_for_moto(port: int) -> None:
    import boto3
    import httpx

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/moto-api/", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    boto3.client("events").create_event_bus(Name="fip-events")

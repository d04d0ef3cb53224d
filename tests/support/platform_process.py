"""`python -m local_platform` in a subprocess, as `make run` starts it, on free loopback ports, on
moto or on LocalStack; and LocalStack's virtual environment, which the LocalStack leg needs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import boto3
import httpx
import pytest

from infra.domains import DOMAINS
from local_platform.aws import free_port
from local_platform.config import PlatformConfig
from tests.conftest import skip_or_fail

REPO = Path(__file__).resolve().parents[2]
START_DEADLINE_SECONDS = 180  # LocalStack takes seconds on an idle machine, far more on a busy one
STOP_DEADLINE_SECONDS = 60
ADMIN_EMAIL = "e2e-admin@example.org"
ADMIN_PASSWORD = "E2e-admin-password-1"
LOCAL_AWS_KINDS = ("moto", "localstack")

T = TypeVar("T")


def eventually(probe: Callable[[], T | None], deadline_seconds: float, what: str, interval: float = 0.25) -> T:
    """Poll until `probe` answers something other than None, or fail when the deadline passes."""
    deadline = time.monotonic() + deadline_seconds
    while True:
        answer = probe()
        if answer is not None:
            return answer
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {deadline_seconds} s")
        time.sleep(interval)


def require_localstack() -> Path:
    """LocalStack's Python (made by `make localstack`), or a skip that fails CI."""
    python = PlatformConfig().localstack_python
    if not python.exists():
        skip_or_fail(f"LocalStack is not installed ({python} is missing): run `make localstack`")
    return python


@dataclass
class PlatformProcess:
    """The platform subprocess and where to reach it."""

    process: subprocess.Popen[bytes]
    url: str
    aws_endpoint: str
    moto_endpoint: str
    output: Path

    def aws(self, service: str) -> Any:
        """A boto3 client for the emulator the platform uses for every service but Cognito."""
        return boto3.client(service, endpoint_url=self.aws_endpoint, region_name="eu-west-1")

    def cognito(self) -> Any:
        """A boto3 client for the platform's Cognito (moto, whichever the emulator of the rest)."""
        return boto3.client("cognito-idp", endpoint_url=self.moto_endpoint, region_name="eu-west-1")

    def output_text(self) -> str:
        """What the platform printed so far."""
        return self.output.read_text(errors="replace")

    def stop(self) -> None:
        """SIGTERM, as Ctrl+C or a service manager stops it; it must stop cleanly."""
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_DEADLINE_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        assert self.process.returncode == 0, f"the platform did not stop cleanly:\n{self.output_text()}"
        assert "stopped" in self.output_text()

    def kill(self) -> None:
        """SIGKILL: a crash, with no chance to save or stop anything."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def children(self) -> list[int]:
        """The processes it started (LocalStack), by id (Linux)."""
        pid = self.process.pid
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def start_platform(state: Path, local_aws: str, output_name: str = "platform.out") -> PlatformProcess:
    """Start the platform on `state` and wait until it says it is ready."""
    port, moto_port, localstack_port = free_port(), free_port(), free_port()
    environment = {
        **os.environ,
        "PORT": str(port),
        "FIP_STATE_DIR": str(state),
        "FIP_SCHEDULE_SECONDS": "1",
        "FIP_LOCAL_AWS": local_aws,
        "FIP_ADMIN_EMAIL": ADMIN_EMAIL,
        "FIP_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "PYTHONUNBUFFERED": "1",
        "FIP_MOTO_PORT": str(moto_port),
        "FIP_LOCALSTACK_PORT": str(localstack_port),
    }
    # the test session points AWS at a dead endpoint and may name databases: the platform makes its own
    environment.pop("AWS_ENDPOINT_URL", None)
    for domain in DOMAINS:
        environment.pop(f"{domain.name.upper()}_DATABASE_URL", None)
    state.mkdir(parents=True, exist_ok=True)
    output = state / output_name
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "local_platform"], cwd=REPO, env=environment, stdout=sink, stderr=subprocess.STDOUT
        )
    moto = f"http://127.0.0.1:{moto_port}"
    aws = f"http://127.0.0.1:{localstack_port}" if local_aws == "localstack" else moto
    running = PlatformProcess(process, f"http://127.0.0.1:{port}", aws, moto, output)

    def ready() -> bool | None:
        if process.poll() is not None:
            pytest.fail(f"the platform exited with {process.returncode}:\n{running.output_text()}")
        try:
            serving = httpx.get(f"{running.url}/openapi.json", timeout=2).status_code == 200
        except httpx.TransportError:
            return None
        # the gateway answers a moment before the start-up lines are written
        return (serving and "Press Ctrl+C to stop." in running.output_text()) or None

    try:
        eventually(ready, START_DEADLINE_SECONDS, "the platform's start")
    except BaseException:
        if process.poll() is None:
            process.kill()
            process.wait()
        raise
    return running

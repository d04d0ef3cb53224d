"""`python -m local_platform` as a user runs it, in a subprocess on free ports with a fresh state
folder, for the tests that talk to it over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import boto3
import httpx
import pytest

from infra.domains import DOMAINS
from local_platform.aws import free_port

REPO = Path(__file__).resolve().parents[2]
START_DEADLINE_SECONDS = 60
ADMIN_EMAIL = "e2e-admin@example.org"
ADMIN_PASSWORD = "E2e-admin-password-1"

T = TypeVar("T")


@dataclass(frozen=True)
class RunningPlatform:
    """The platform subprocess and where to reach it."""

    url: str
    aws_endpoint: str
    output: Path

    def aws(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.aws_endpoint, region_name="eu-west-1")

    def output_text(self) -> str:
        return self.output.read_text(errors="replace")

    def sign_in(self, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> dict[str, Any]:
        """The tokens sign-in answers, over HTTP."""
        answer = httpx.post(f"{self.url}/auth/sign-in", json={"email": email, "password": password})
        assert answer.status_code == 200, answer.text
        return dict(answer.json())


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


@contextmanager
def running_platform(
    state: Path, environment: dict[str, str] | None = None, prefix: Sequence[str] = ()
) -> Iterator[RunningPlatform]:
    """The platform started with these extra variables (and the command run under `prefix`, if any),
    ready to serve; stopped afterwards, which it must do cleanly."""
    port, moto_port = free_port(), free_port()
    variables = {
        **os.environ,
        "PORT": str(port),
        "FIP_STATE_DIR": str(state),
        "FIP_SCHEDULE_SECONDS": "1",
        "FIP_MOTO_PORT": str(moto_port),
        "FIP_ADMIN_EMAIL": ADMIN_EMAIL,
        "FIP_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "PYTHONUNBUFFERED": "1",
        **(environment or {}),
    }
    # the test session points AWS at a dead endpoint and may name databases: the platform makes its own
    variables.pop("AWS_ENDPOINT_URL", None)
    for domain in DOMAINS:
        variables.pop(f"{domain.name.upper()}_DATABASE_URL", None)
    output = state / "platform.out"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [*prefix, sys.executable, "-m", "local_platform"],
            cwd=REPO,
            env=variables,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    running = RunningPlatform(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{moto_port}", output)
    try:

        def ready() -> bool | None:
            if process.poll() is not None:
                pytest.fail(f"the platform exited with {process.returncode}:\n{running.output_text()}")
            try:
                serving = httpx.get(f"{running.url}/openapi.json", timeout=2).status_code == 200
            except httpx.TransportError:
                return None
            # the gateway answers a moment before the start-up lines are written
            return (serving and "Press Ctrl+C to stop." in running.output_text()) or None

        eventually(ready, START_DEADLINE_SECONDS, "the platform's start")
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode == 0, f"the platform did not stop cleanly:\n{running.output_text()}"
    assert "stopped" in running.output_text()

"""`python -m local_platform` as a user runs it, in a subprocess on free ports with a fresh state
folder, for the tests that talk to it over HTTP: started, waited for, and stopped cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from infra.domains import DOMAINS
from local_platform.aws import free_port
from tests.support.cognito import totp

REPO = Path(__file__).resolve().parents[2]
START_DEADLINE_SECONDS = 60
ADMIN_EMAIL = "e2e-admin@example.org"
ADMIN_PASSWORD = "E2e-admin-password-1"


@dataclass(frozen=True)
class RunningPlatform:
    """The platform subprocess and where to reach it."""

    url: str
    aws_endpoint: str
    output: Path
    totp_secrets: dict[str, str] = field(default_factory=dict)  # of the users who turned on two-factor sign-in

    def aws(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.aws_endpoint, region_name="eu-west-1")

    def output_text(self) -> str:
        return self.output.read_text(errors="replace")

    def sign_in(self, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> dict[str, Any]:
        """The tokens sign-in answers over HTTP, with the second factor turned on first if it is not
        yet: an admin's role waits for it (README, "Trying it")."""
        credentials = {"email": email, "password": password}
        first = httpx.post(f"{self.url}/auth/sign-in", json=credentials)
        if first.status_code == 200:
            session = {"Authorization": f"Bearer {first.json()['access_token']}"}
            secret = httpx.post(f"{self.url}/me/mfa/totp", headers=session).json()["secret"]
            verified = httpx.post(
                f"{self.url}/me/mfa/totp/verify", json={"code": totp(secret, time.time())}, headers=session
            )
            assert verified.status_code == 200, verified.text
            self.totp_secrets[email] = secret
            first = httpx.post(f"{self.url}/auth/sign-in", json=credentials)
        assert (first.status_code, first.json()["challenge"]) == (202, "SOFTWARE_TOKEN_MFA"), first.text
        code = totp(self.totp_secrets[email], time.time())
        answer = httpx.post(
            f"{self.url}/auth/sign-in/mfa", json={"email": email, "session": first.json()["session"], "code": code}
        )
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def headers(self, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> dict[str, str]:
        """`Authorization` of a user signed in with `sign_in`."""
        return {"Authorization": f"Bearer {self.sign_in(email, password)['access_token']}"}


def eventually[T](probe: Callable[[], T | None], deadline_seconds: float, what: str, interval: float = 0.25) -> T:
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
    a 1 s schedule, ready to serve; stopped afterwards, which it must do cleanly."""
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

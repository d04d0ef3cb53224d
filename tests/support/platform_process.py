"""`python -m local_platform` in a subprocess, as `make run` starts it, on free loopback ports, on
moto or on LocalStack, for the tests that talk to it over HTTP: started, waited for, and stopped
cleanly (or killed, as a crash); and LocalStack's virtual environment, which the LocalStack leg needs."""

from __future__ import annotations

import os
import signal
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

from fip_core.declaration import DomainDeclaration
from infra.domains import DOMAINS
from local_platform.aws import free_port
from local_platform.config import PlatformConfig
from local_platform.platform import LocalPlatform
from tests.conftest import skip_or_fail
from tests.support.cognito import totp

REPO = Path(__file__).resolve().parents[2]
START_DEADLINE_SECONDS = 180  # LocalStack takes seconds on an idle machine, far more on a busy one
STOP_DEADLINE_SECONDS = 60
ADMIN_EMAIL = "e2e-admin@example.org"
ADMIN_PASSWORD = "E2e-admin-password-1"
LOCAL_AWS_KINDS = ("moto", "localstack")


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


def require_localstack() -> Path:
    """LocalStack's Python (made by `make localstack`), or a skip that fails CI."""
    python = PlatformConfig().localstack_python
    if not python.exists():
        skip_or_fail(f"LocalStack is not installed ({python} is missing): run `make localstack`")
    return python


@dataclass
class RunningPlatform:
    """The platform subprocess and where to reach it."""

    process: subprocess.Popen[bytes]
    url: str
    aws_endpoint: str
    moto_endpoint: str
    output: Path
    totp_secrets: dict[str, str] = field(default_factory=dict)  # of the users who turned on two-factor sign-in

    def aws(self, service: str) -> Any:
        """A boto3 client for the emulator the platform uses for every service but Cognito."""
        return boto3.client(service, endpoint_url=self.aws_endpoint, region_name="eu-west-1")

    def cognito(self) -> Any:
        """A boto3 client for the platform's Cognito (moto, whichever the emulator of the rest)."""
        return boto3.client("cognito-idp", endpoint_url=self.moto_endpoint, region_name="eu-west-1")

    def output_text(self) -> str:
        """What the platform printed so far."""
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


def start_platform(
    state: Path,
    local_aws: str = "moto",
    environment: dict[str, str] | None = None,
    prefix: Sequence[str] = (),
    output_name: str = "platform.out",
) -> RunningPlatform:
    """Start the platform on `state` with these extra variables (and the command run under `prefix`,
    if any), a 1 s schedule, and wait until it says it is ready."""
    port, moto_port, localstack_port = free_port(), free_port(), free_port()
    variables = {
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
        **(environment or {}),
    }
    # the test session points AWS at a dead endpoint and may name databases: the platform makes its own
    variables.pop("AWS_ENDPOINT_URL", None)
    for domain in DOMAINS:
        variables.pop(f"{domain.name.upper()}_DATABASE_URL", None)
    state.mkdir(parents=True, exist_ok=True)
    output = state / output_name
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [*prefix, sys.executable, "-m", "local_platform"],
            cwd=REPO,
            env=variables,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    moto = f"http://127.0.0.1:{moto_port}"
    aws = f"http://127.0.0.1:{localstack_port}" if local_aws == "localstack" else moto
    running = RunningPlatform(process, f"http://127.0.0.1:{port}", aws, moto, output)

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


@contextmanager
def running_platform(
    state: Path, environment: dict[str, str] | None = None, prefix: Sequence[str] = (), local_aws: str = "moto"
) -> Iterator[RunningPlatform]:
    """The platform started (see `start_platform`), ready to serve; stopped afterwards, which it must
    do cleanly."""
    running = start_platform(state, local_aws, environment, prefix)
    try:
        yield running
    finally:
        running.stop()


@contextmanager
def platform_in_process(
    domains: tuple[DomainDeclaration, ...], local_aws: str, state_dir: Path, **settings: Any
) -> Iterator[LocalPlatform]:
    """`LocalPlatform` in this process with these domains, on free ports, on moto or LocalStack (or a
    skip that fails CI, without LocalStack), with these settings besides; stopped afterwards."""
    if local_aws == "localstack":
        require_localstack()
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # the session's dead endpoint: start moto instead
        config = PlatformConfig(port=0, state_dir=state_dir, local_aws=local_aws, **settings)
        platform = LocalPlatform(config, domains, access_log=False)
        platform.start()
        try:
            yield platform
        finally:
            platform.stop()
        assert "AWS_ENDPOINT_URL" not in os.environ, "stop() puts the environment back"


def queue_is_empty(platform: LocalPlatform, function: str, queue_name: str | None = None) -> bool:
    """Whether the subscription queue of one function (its first, or the one named) holds no message,
    visible or in flight: the bus routes as an event is put, so everything routed to it has been delivered."""
    queue = next(q for q in platform.queues if q.function == function and queue_name in (None, q.queue_name))
    sqs = boto3.client("sqs", endpoint_url=platform.aws_endpoint, region_name="eu-west-1")
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    return set(sqs.get_queue_attributes(QueueUrl=queue.queue_url, AttributeNames=names)["Attributes"].values()) == {"0"}

"""LocalStack on this host, started and stopped with the platform (`make run AWS=localstack`).

LocalStack's releases after `localstack-core` 4.13.1 need Docker and an account, so that version
runs from its own virtual environment (`make localstack`: .venv-localstack, Python 3.12, on which
its KMS works). It emulates the services below; Cognito, which it lacks, stays on moto, and its
Lambda needs Docker, so the platform keeps invoking the handlers itself.

It listens on loopback only and is kept off the network: no DNS server of its own, no analytics
events, no certificate or tool downloads, and no name lookups (see localstack_runtime.py). Its
community edition keeps nothing across a restart; the platform re-creates the bus, queues, rules and
the domains' resources at every start, and encryption keys are made with a key id and key material
kept in the state folder (infra/resources/encryption_key.py), so tokens encrypted before a restart
decrypt after it.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

from local_platform.aws import free_port

SERVICES = ("s3", "sqs", "sns", "events", "kms", "secretsmanager", "ses", "sts")
RUNTIME_SCRIPT = Path(__file__).with_name("localstack_runtime.py")
START_TIMEOUT_SECONDS = 120.0  # about 3 s on an idle machine; far more on a busy 2-core one
STOP_TIMEOUT_SECONDS = 30.0
HEALTH_POLL_SECONDS = 0.2
READY = frozenset({"available", "running"})


class LocalStackError(RuntimeError):
    """LocalStack is not installed, or did not start."""


class LocalStack:
    """One LocalStack process on a loopback port, its files and log in `state_dir`."""

    def __init__(self, python: Path, state_dir: Path, port: int | None = None) -> None:
        self.python = python
        self.state_dir = state_dir
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log_file = state_dir / "localstack.log"
        self.version = "?"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout_seconds: float = START_TIMEOUT_SECONDS) -> None:
        """Start LocalStack and return once every service answers; raise `LocalStackError` if not."""
        if not self.python.exists():
            raise LocalStackError(
                f"LocalStack is not installed ({self.python} is missing): run `make localstack`, or "
                f"`make run AWS=localstack`, which installs it"
            )
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            self._process = subprocess.Popen(  # noqa: S603 - our own script, run by LocalStack's Python
                # -P: the script's folder stays off sys.path, where platform.py and localstack.py
                # would stand in for the standard library's and LocalStack's modules of those names
                [str(self.python), "-P", str(RUNTIME_SCRIPT)],
                cwd=self.state_dir,
                env=self._environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout_seconds
        while (health := self._health()) is None or not READY.issuperset(health["services"].get(s) for s in SERVICES):
            if self._process.poll() is not None:
                raise LocalStackError(f"LocalStack exited with {self._process.returncode}:\n{self._log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise LocalStackError(f"LocalStack did not answer within {timeout_seconds:g} s:\n{self._log_tail()}")
            time.sleep(HEALTH_POLL_SECONDS)
        self.version = str(health.get("version", "?"))

    def stop(self) -> None:
        """Ask LocalStack to shut down, and kill it if it does not in time."""
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    @property
    def pid(self) -> int | None:
        """The process id while it runs."""
        return self._process.pid if self._process is not None else None

    def _environment(self) -> dict[str, str]:
        environment = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
        return environment | {
            "GATEWAY_LISTEN": f"127.0.0.1:{self.port}",
            # its default server, twisted, listens on every interface whatever GATEWAY_LISTEN says
            # (localstack/runtime/server/twisted.py); hypercorn binds the address given
            "GATEWAY_SERVER": "hypercorn",
            # the address in the URLs it answers (queue URLs): this loopback port, not a DNS name
            "LOCALSTACK_HOST": f"127.0.0.1:{self.port}",
            "SQS_ENDPOINT_STRATEGY": "path",
            "SERVICES": ",".join(SERVICES),
            "DNS_ADDRESS": "0",
            "DISABLE_EVENTS": "1",
            "SKIP_INFRA_DOWNLOADS": "1",
            "SKIP_SSL_CERT_DOWNLOAD": "1",
            "FILESYSTEM_ROOT": str(self.state_dir / "filesystem"),
            "FIP_LOCALSTACK_S3_DIR": str(self.state_dir / "s3"),
            "FIP_PLATFORM_PID": str(os.getpid()),
        }

    def _health(self) -> dict[str, Any] | None:
        try:
            answer = httpx.get(f"{self.endpoint}/_localstack/health", timeout=2)
        except httpx.TransportError:
            return None
        return answer.json() if answer.status_code == 200 else None

    def _log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])

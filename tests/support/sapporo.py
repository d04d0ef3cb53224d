"""A real GA4GH WES server (sapporo-service) on loopback, from its own virtual environment."""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from local_platform.aws import free_port


class SapporoServer:
    """sapporo with a run folder of its own, optionally under the spec's /ga4gh/wes/v1 prefix."""

    def __init__(self, executable: Path, url_prefix: str = "") -> None:
        self.executable = executable
        self.port = free_port()
        self.url_prefix = url_prefix
        self.run_dir = Path(tempfile.mkdtemp(prefix="fip-sapporo-"))
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        """Where the WES API is."""
        return f"http://127.0.0.1:{self.port}{self.url_prefix}"

    def start(self, deadline_seconds: float = 60) -> None:
        """Start sapporo and wait until service-info answers."""
        command = [
            str(self.executable),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--run-dir",
            str(self.run_dir),
        ]
        if self.url_prefix:
            command += ["--url-prefix", self.url_prefix]
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + deadline_seconds
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"sapporo exited: {self._process.stderr.read().decode()[-2000:] if self._process.stderr else ''}"
                )
            try:
                if httpx.get(f"{self.base_url}/service-info", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"sapporo did not answer within {deadline_seconds} s")

    def stop(self) -> None:
        """Stop sapporo."""
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()

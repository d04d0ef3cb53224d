"""The fuzzing leg, run inside a network namespace where only loopback exists: the local platform with
its schedules off, and schemathesis generating requests from the platform's merged OpenAPI document
(`/openapi.json`), signed in as the admin, with its server-error and negative-data checks.

`python -m tests.fuzz.runner REPORT_DIR` is what `tests/fuzz/test_fuzz_api.py` runs under `unshare
--net`; it refuses to start anything while another interface than `lo` is visible."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from tests.fuzz.isolation import loopback_only
from tests.support.platform_process import running_platform

# Each is a property every answer must have; `not_a_server_error` is the bar, `negative_data_rejection`
# that what the document forbids is refused; the others hold the answers to what the document says.
CHECKS = (
    "not_a_server_error",
    "negative_data_rejection",
    "content_type_conformance",
    "response_schema_conformance",
)
MAX_EXAMPLES = 12  # per operation and phase: bounded time on a 2-core machine
SEED = 7  # the same cases every run, so that a failure is reproducible and CI is not a lottery
PHASES = "examples,coverage,fuzzing"
# Ends every session of the caller, the fuzzer's own among them, by design; it takes no input to fuzz.
# (tests/integration cover it.)
NOT_FUZZED = ("POST /auth/sign-out",)
# What a route may answer when the external service it reads cannot be read, if its documented answers say so
UPSTREAM_STATUS = "502"


def upstream_config(document: dict[str, Any]) -> str:
    """Schemathesis's per-operation configuration: an operation that documents a 502 (its work is to read
    an external service, and the fuzzer registers services at addresses it invents, which never resolve
    in this namespace) may answer it; no other 5xx, and no 502 of any other operation, passes the check."""
    names = [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if UPSTREAM_STATUS in operation.get("responses", {})
    ]
    return "".join(
        f'[[operations]]\ninclude-name = "{name}"\n'
        f'checks.not_a_server_error.expected-statuses = ["2xx", "3xx", "4xx", "{UPSTREAM_STATUS}"]\n\n'
        for name in names
    )


def fuzz(report_dir: Path) -> int:
    """Start the platform, run schemathesis against it, answer schemathesis's exit status."""
    state = report_dir / "state"
    state.mkdir(parents=True, exist_ok=True)
    config = report_dir / "schemathesis.toml"
    with running_platform(state, {"FIP_SCHEDULES_ENABLED": "false"}) as platform:
        token = platform.sign_in()["access_token"]
        config.write_text(upstream_config(httpx.get(f"{platform.url}/openapi.json", timeout=30).json()))
        command = [
            str(Path(sys.executable).with_name("schemathesis")),
            "--config-file", str(config),
            "run",
            f"{platform.url}/openapi.json",
            "--checks", ",".join(CHECKS),
            "--header", f"Authorization: Bearer {token}",
            "--phases", PHASES,
            "--max-examples", str(MAX_EXAMPLES),
            "--seed", str(SEED),
            "--workers", "1",
            "--request-timeout", "30",
            "--generation-database", "none",
            "--report", "junit",
            "--report-dir", str(report_dir),
            "--no-color",
            *(option for name in NOT_FUZZED for option in ("--exclude-name", name)),
        ]  # fmt: skip
        started = time.monotonic()
        # run where it may leave its cache: the report folder, not the repository
        result = subprocess.run(command, cwd=report_dir, check=False)
        print(f"schemathesis ran for {time.monotonic() - started:.0f} s", flush=True)  # noqa: T201
        return result.returncode


def main() -> int:
    """Make sure nothing can leave, then fuzz."""
    if interfaces := loopback_only():
        print(f"refusing to fuzz: interfaces other than loopback are visible: {interfaces}", file=sys.stderr)  # noqa: T201
        return 3
    return fuzz(Path(sys.argv[1]))


if __name__ == "__main__":
    sys.exit(main())

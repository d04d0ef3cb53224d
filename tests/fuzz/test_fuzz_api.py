"""The fuzzing leg of `make test`: schemathesis, signed in as the admin, generates requests from the
platform's merged OpenAPI document and sends them to the local platform; no answer may be a 5xx, and
what the document forbids must be refused. A fuzzer invents base URLs that test-connection and check-now
would probe, so everything runs in a network namespace where only loopback exists, with the schedules
off. Where no namespace can be made (not root, no `unshare`), the leg is skipped, and fails under
FIP_REQUIRE_ALL_TESTS=1."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from infra.domains import DOMAINS
from tests.conftest import REPO, skip_or_fail
from tests.fuzz.isolation import run_to_the_end, unshare_command
from tests.fuzz.runner import NOT_FUZZED

pytestmark = pytest.mark.fuzz

DEADLINE_SECONDS = 15 * 60  # the run takes a few minutes; this only stops one that hangs


def isolated_command() -> list[str]:
    """The prefix that runs a command where only loopback exists, or skip (or fail) saying why not."""
    try:
        prefix = unshare_command()
    except FileNotFoundError as missing:
        skip_or_fail(f"no network namespace for the fuzzing leg: {missing}")
        raise
    probe = subprocess.run([*prefix, "true"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        skip_or_fail(f"no network namespace for the fuzzing leg (run as root): {probe.stderr.strip()}")
    return prefix


def test_a_fuzzer_signed_in_as_admin_gets_no_server_error_and_no_forbidden_input_through(tmp_path: Path) -> None:
    prefix = isolated_command()
    output = tmp_path / "fuzz.out"
    status = run_to_the_end(
        [*prefix, sys.executable, "-m", "tests.fuzz.runner", str(tmp_path)], output, DEADLINE_SECONDS, REPO
    )
    if status is None:
        pytest.fail(f"the fuzzing leg did not finish in {DEADLINE_SECONDS} s:\n{output.read_text()[-20000:]}")
    text = output.read_text(errors="replace")
    assert status == 0, text[-30000:]
    declared = sum(len(domain.routes) for domain in DOMAINS)
    assert f"Tested: {declared - len(NOT_FUZZED)}" in text, "every declared operation was fuzzed"

"""The fuzzing leg of `make test`: schemathesis, signed in as the admin, generates requests from the
platform's merged OpenAPI document and sends them to the local platform; no answer may be a 5xx, and
what the document forbids must be refused. A fuzzer invents base URLs that test-connection and check-now
would probe, so everything runs in a network namespace where only loopback exists, with the schedules
off. Where no namespace can be made (not root, no `unshare`), the leg is skipped, and fails under
FIP_REQUIRE_ALL_TESTS=1."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from infra.domains import DOMAINS
from tests.conftest import REPO
from tests.fuzz.isolation import isolated_command, run_isolated
from tests.fuzz.runner import NOT_FUZZED

pytestmark = pytest.mark.fuzz

DEADLINE_SECONDS = 15 * 60  # the run takes a few minutes; this only stops one that hangs


def test_a_fuzzer_signed_in_as_admin_gets_no_server_error_and_no_forbidden_input_through(tmp_path: Path) -> None:
    prefix = isolated_command("fuzzing leg")
    command = [*prefix, sys.executable, "-m", "tests.fuzz.runner", str(tmp_path)]
    text = run_isolated("the fuzzing leg", command, tmp_path / "fuzz.out", DEADLINE_SECONDS, REPO)
    declared = sum(len(domain.routes) for domain in DOMAINS)
    assert f"Tested: {declared - len(NOT_FUZZED)}" in text, "every declared operation was fuzzed"

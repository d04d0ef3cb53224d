"""The web console's browser checks (`console_checks.py`, `job_checks.py`; the admin pages' `admin_checks.py`
on a platform of their own), run in a network namespace where
only loopback exists, since Chromium is a program that would otherwise reach out: the local platform and the
browser both live in it. Where no namespace can be made (not root, no `unshare`), where chromium or the
built console is missing, the test is skipped, and fails under FIP_REQUIRE_ALL_TESTS=1 (`make test`
installs chromium and builds the console)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.browser.harness import OUTPUT, OUTPUT_VARIABLE
from tests.conftest import REPO, skip_or_fail
from tests.fuzz.isolation import isolated_command, run_isolated

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

DEADLINE_SECONDS = 40 * 60  # minutes on a busy machine (jobs are polled each minute); this only stops a hang
CHECKS = ("tests/browser/console_checks.py", "tests/browser/job_checks.py")  # in this order: services start empty
ADMIN_CHECKS = ("tests/browser/admin_checks.py",)
ADMIN_OUTPUT = OUTPUT / "admin"
ADMIN_SCREENSHOTS = (
    "admin-01-register-problem", "admin-02-service", "admin-03-services", "admin-04-users", "admin-05-user-granted",
    "admin-06-user", "admin-07-audit", "admin-08-researcher-refused",
)  # fmt: skip
SCREENSHOTS = (
    "01-sign-up", "02-confirm", "03-sign-in", "04-files-empty", "05-files-validated",
    "06-sign-up-problem", "07-upload-interrupted", "08-upload-resumed", "09-upload-to-resume", "10-services",
    "11-jobs-empty", "12-new-job", "13-job-submitted", "14-job-completed", "15-jobs", "16-notifications",
    "17-notification-preferences", "18-job-running", "19-job-cancel-confirm", "20-new-job-problem",
)  # fmt: skip


def run_checks(checks: tuple[str, ...], output: Path, log: Path) -> str:
    """Run these check modules in a loopback-only namespace with a fresh screenshot folder; their output."""
    if shutil.which("chromium") is None:
        skip_or_fail("chromium is not installed: run `make chromium`")
    if not (REPO / "web" / "dist" / "index.html").is_file():
        skip_or_fail("the web console is not built: run `make web`")
    prefix = isolated_command("browser checks")
    shutil.rmtree(output, ignore_errors=True)
    output.mkdir(parents=True)
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *checks]
    environment = {**os.environ, OUTPUT_VARIABLE: str(output)}
    return run_isolated("the browser checks", [*prefix, *command], log, DEADLINE_SECONDS, REPO, environment)


def test_the_console_works_in_chromium_against_the_local_platform(tmp_path: Path) -> None:
    text = run_checks(CHECKS, OUTPUT, tmp_path / "browser.out")
    assert "9 passed" in text, text[-5000:]
    assert sorted(path.stem for path in OUTPUT.glob("*.png")) == sorted(SCREENSHOTS)


def test_the_admin_pages_work_in_chromium_against_the_local_platform(tmp_path: Path) -> None:
    text = run_checks(ADMIN_CHECKS, ADMIN_OUTPUT, tmp_path / "admin.out")
    assert "3 passed" in text, text[-5000:]
    assert sorted(path.stem for path in ADMIN_OUTPUT.glob("*.png")) == sorted(ADMIN_SCREENSHOTS)

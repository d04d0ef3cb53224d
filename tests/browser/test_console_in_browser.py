"""The web console's browser checks (`console_checks.py`, `job_checks.py`), run in a network namespace where
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
SCREENSHOTS = (
    "01-sign-up", "02-confirm", "03-sign-in", "04-files-empty", "05-files-validated",
    "06-sign-up-problem", "07-upload-interrupted", "08-upload-resumed", "09-upload-to-resume", "10-services",
    "11-jobs-empty", "12-new-job", "13-job-submitted", "14-job-completed", "15-jobs", "16-notifications",
    "17-notification-preferences", "18-job-running", "19-job-cancel-confirm", "20-new-job-problem",
)  # fmt: skip


def test_the_console_works_in_chromium_against_the_local_platform(tmp_path: Path) -> None:
    if shutil.which("chromium") is None:
        skip_or_fail("chromium is not installed: run `make chromium`")
    if not (REPO / "web" / "dist" / "index.html").is_file():
        skip_or_fail("the web console is not built: run `make web`")
    prefix = isolated_command("browser checks")
    shutil.rmtree(OUTPUT, ignore_errors=True)
    OUTPUT.mkdir(parents=True)
    log = tmp_path / "browser.out"
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *CHECKS]
    environment = {**os.environ, OUTPUT_VARIABLE: str(OUTPUT)}
    text = run_isolated("the browser checks", [*prefix, *command], log, DEADLINE_SECONDS, REPO, environment)
    assert "9 passed" in text, text[-5000:]
    assert sorted(path.stem for path in OUTPUT.glob("*.png")) == sorted(SCREENSHOTS)

"""The web console's browser checks (`console_checks.py`, `job_checks.py`; `account_checks.py` and the admin
pages' `admin_checks.py`, the residency and dashboard pages' `more_checks.py`, each on a platform of its
own), run in a network namespace where only loopback exists, since Chromium is a program that would
otherwise reach out: the local platform and the browser both live in it. Where no namespace can be made
(not root, no `unshare`), where chromium or the built console is missing, the test is skipped, and fails
under FIP_REQUIRE_ALL_TESTS=1 (`make test` installs chromium and builds the console)."""

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


MORE_CHECKS = ("tests/browser/more_checks.py",)
MORE_OUTPUT = OUTPUT / "more"  # the residency pages' and dashboards' screenshots
MORE_SCREENSHOTS = (
    "more-01-residency-problem", "more-02-residency-set", "more-03-file-narrowed", "more-04-job-outside-residency",
    "more-05-my-dashboard", "more-06-platform-dashboard",
)  # fmt: skip

ACCOUNT_CHECKS = ("tests/browser/account_checks.py",)
ACCOUNT_OUTPUT = OUTPUT / "account"  # screenshots of the account checks, beside the others'
ACCOUNT_SCREENSHOTS = (
    "a01-forgot-password", "a02-reset-password-problem", "a03-sign-in-mfa", "a04-sign-in-new-password",
    "a05-api-token-made", "a06-api-token-revoked", "a07-service-token-stored", "a08-new-job-auto",
    "a09-job-routing", "a10-new-job-several", "a11-job-children", "a12-two-factor-setup",
)  # fmt: skip


def run_checks(tmp_path: Path, checks: tuple[str, ...], output: Path) -> str:
    """Run check modules with pytest inside a loopback-only namespace (a platform and a browser of their own),
    their screenshots into `output` (its screenshots removed first; the other checks' folders inside it
    are left); answers what pytest printed."""
    if shutil.which("chromium") is None:
        skip_or_fail("chromium is not installed: run `make chromium`")
    if not (REPO / "web" / "dist" / "index.html").is_file():
        skip_or_fail("the web console is not built: run `make web`")
    prefix = isolated_command("browser checks")
    for png in output.glob("*.png"):
        png.unlink()
    output.mkdir(parents=True, exist_ok=True)
    log = tmp_path / "browser.out"
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *checks]
    environment = {**os.environ, OUTPUT_VARIABLE: str(output)}
    return run_isolated("the browser checks", [*prefix, *command], log, DEADLINE_SECONDS, REPO, environment)


def failure(text: str, output: Path) -> str:
    """What a failed run printed, with the platform's tracebacks (its log is kept beside the screenshots)."""
    log = output / "platform.log"
    logged = log.read_text(errors="replace") if log.is_file() else ""
    tracebacks = logged.split("Traceback")[1:]
    return text[-5000:] + "".join(f"\n--- the platform logged: Traceback{block[:3000]}" for block in tracebacks[-3:])


def test_the_console_works_in_chromium_against_the_local_platform(tmp_path: Path) -> None:
    text = run_checks(tmp_path, CHECKS, OUTPUT)
    assert "9 passed" in text, failure(text, OUTPUT)
    assert sorted(path.stem for path in OUTPUT.glob("*.png")) == sorted(SCREENSHOTS)


def test_a_researchers_account_and_where_her_jobs_run_in_chromium(tmp_path: Path) -> None:
    text = run_checks(tmp_path, ACCOUNT_CHECKS, ACCOUNT_OUTPUT)
    assert "8 passed" in text, failure(text, ACCOUNT_OUTPUT)
    assert sorted(path.stem for path in ACCOUNT_OUTPUT.glob("*.png")) == sorted(ACCOUNT_SCREENSHOTS)


def test_the_admin_pages_work_in_chromium_against_the_local_platform(tmp_path: Path) -> None:
    text = run_checks(tmp_path, ADMIN_CHECKS, ADMIN_OUTPUT)
    assert "3 passed" in text, failure(text, ADMIN_OUTPUT)
    assert sorted(path.stem for path in ADMIN_OUTPUT.glob("*.png")) == sorted(ADMIN_SCREENSHOTS)


def test_residency_and_dashboards_work_in_chromium_against_the_local_platform(tmp_path: Path) -> None:
    text = run_checks(tmp_path, MORE_CHECKS, MORE_OUTPUT)
    assert "4 passed" in text, failure(text, MORE_OUTPUT)
    assert sorted(path.stem for path in MORE_OUTPUT.glob("*.png")) == sorted(MORE_SCREENSHOTS)

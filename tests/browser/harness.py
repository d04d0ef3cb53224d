"""What the console's browser checks (`console_checks.py`) stand on: the local platform as `make run`
starts it, Debian's chromium driven by Playwright through its executable path, and a page that records
every console error and failed request, checks itself with axe and saves screenshots.

Everything here runs inside a network namespace where only loopback exists (see
`test_console_in_browser.py`); the session fixture refuses to start anything otherwise."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Request,
    Response,
    expect,
    sync_playwright,
)

from tests.conftest import REPO
from tests.fuzz.isolation import loopback_only
from tests.support.e2e_jobs import confirmed_account
from tests.support.platform_process import RunningPlatform, running_platform

CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
OUTPUT_VARIABLE = "FIP_BROWSER_OUTPUT"
OUTPUT = REPO / "test-output" / "browser"  # screenshots, kept after the run for people to look at
AXE_SCRIPT = REPO / "web" / "node_modules" / "axe-core" / "axe.min.js"
STEP_TIMEOUT_MS = 60_000  # one click's or page's wait on a busy 2-core machine
VALIDATION_TIMEOUT_MS = 180_000  # an upload validated: S3's event, the queue, the validator
PASSWORD = "Researcher-pass-1"


def chromium_path() -> str:
    """Debian's chromium (`make chromium`)."""
    found = shutil.which("chromium")
    if found is None:
        raise FileNotFoundError("chromium is not installed: run `make chromium`")
    return found


def output_dir() -> Path:
    """Where screenshots go (the outer test names it)."""
    return Path(os.environ.get(OUTPUT_VARIABLE, OUTPUT))


@dataclass
class WatchedPage:
    """A page with everything that went wrong on it recorded: console errors, uncaught exceptions,
    requests that failed and answers of 400 or more. A link whose answer is a download (Content-Disposition:
    attachment) is a navigation that Chromium ends with net::ERR_ABORTED once the download takes over:
    that is no failure when the download itself was seen."""

    page: Page
    url: str
    console_errors: list[str] = field(default_factory=list)
    downloads: set[str] = field(default_factory=set)
    _failures: list[tuple[str, str]] = field(default_factory=list)  # (url, what failed)

    def __post_init__(self) -> None:
        self.page.set_default_timeout(STEP_TIMEOUT_MS)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))
        self.page.on("requestfailed", self._request_failed)
        self.page.on("response", self._response)
        self.page.on("download", lambda download: self.downloads.add(download.url))

    @property
    def failed_requests(self) -> list[str]:
        """Every request that failed or was answered 400 or more, but a download's navigation."""
        return [
            failure
            for url, failure in self._failures
            if not (url in self.downloads and failure.endswith(": net::ERR_ABORTED"))
        ]

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def _request_failed(self, request: Request) -> None:
        self._failures.append((request.url, f"{request.method} {request.url}: {request.failure}"))

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self._failures.append((response.url, f"{response.request.method} {response.url}: {response.status}"))

    def open(self, page: str = "") -> None:
        """Open the console at one of its pages (`#/files`)."""
        self.page.goto(f"{self.url}/#/{page}")

    def screenshot(self, name: str) -> Path:
        """A full-page screenshot into the output folder."""
        path = output_dir() / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def accessibility_violations(self) -> list[dict[str, Any]]:
        """axe-core's violations on the page as it is now (injected through the debugging protocol, which
        the page's content security policy does not govern; the page itself allows no injected script)."""
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE_SCRIPT.read_text())
        found = self.page.evaluate(
            """async () => (await window.axe.run(document)).violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))
            }))"""
        )
        return list(found)

    def assert_accessible(self, what: str) -> None:
        """No axe violation on the page as it is now."""
        violations = self.accessibility_violations()
        assert violations == [], f"{what}: {json.dumps(violations, indent=2)}"

    def drop_files(self, selector: str, files: list[Path]) -> None:
        """Drop files on an element as a person dragging them from their desktop would."""
        payload = [{"name": path.name, "bytes": list(path.read_bytes())} for path in files]
        transfer = self.page.evaluate_handle(
            """(files) => {
                const transfer = new DataTransfer();
                for (const f of files) transfer.items.add(new File([new Uint8Array(f.bytes)], f.name));
                return transfer;
            }""",
            payload,
        )
        self.page.dispatch_event(selector, "dragover", {"dataTransfer": transfer})
        self.page.dispatch_event(selector, "drop", {"dataTransfer": transfer})


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    """The local platform with its schedules every second (the health sweep finds a registered service
    healthy, the jobs' poll runs them), only where nothing but loopback exists."""
    if interfaces := loopback_only():
        pytest.exit(f"refusing to start a browser: interfaces other than loopback are visible: {interfaces}", 3)
    output_dir().mkdir(parents=True, exist_ok=True)
    with running_platform(tmp_path_factory.mktemp("state")) as running:
        try:
            yield running
        finally:  # beside the screenshots, so a failed walk can be read with what the platform logged
            shutil.copyfile(running.output, output_dir() / "platform.log")


@pytest.fixture(scope="session")
def browser() -> Iterator[BrowserContext]:
    """Chromium with an empty profile folder, headless, nothing of its own reaching out."""
    with tempfile.TemporaryDirectory(prefix="fip-chromium-") as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=chromium_path(), headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def console(platform: RunningPlatform, browser: BrowserContext) -> Iterator[WatchedPage]:
    """A new tab (so a session of its own: the console keeps tokens per tab) on the console."""
    page = browser.new_page()
    try:
        yield WatchedPage(page, platform.url)
    finally:
        page.close()


def confirmed_researcher(platform: RunningPlatform, email: str) -> str:
    """An account signed up and confirmed through the API, with the walks' password."""
    confirmed_account(platform, email, PASSWORD)
    return email


def sign_in(console: WatchedPage, email: str) -> None:
    """Sign in through the form with the keyboard alone: Tab between fields, Enter to send."""
    console.open("sign-in")
    expect(console.page.get_by_role("heading", name="Sign in")).to_be_focused()
    console.page.keyboard.press("Tab")  # from the page's heading to the email field
    expect(console.page.get_by_label("Email", exact=True)).to_be_focused()
    console.page.keyboard.type(email)
    console.page.keyboard.press("Tab")
    console.page.keyboard.type(PASSWORD)
    console.page.keyboard.press("Enter")
    expect(console.page.get_by_role("heading", name="My files")).to_be_visible()


def file_row(console: WatchedPage, name: str, status: str) -> Locator:
    """The row of My files with this file in this status."""
    return console.page.locator(f"li.file[data-status={status}]", has_text=name)


def problem_shown(console: WatchedPage, path: str, button: str) -> dict[str, Any]:
    """Press the button, whose request to `path` is answered 422: the page shows the problem's detail
    and each field's message, never a stack. Answers the problem."""
    page = console.page
    with page.expect_response(lambda answer: answer.url.endswith(path)) as answered:
        page.get_by_role("button", name=button).click()
    problem: dict[str, Any] = answered.value.json()
    assert answered.value.status == 422, problem
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(problem["detail"])
    for error in problem.get("errors") or []:
        expect(alert).to_contain_text(error["message"])
    expect(alert).not_to_contain_text("Traceback")
    return problem

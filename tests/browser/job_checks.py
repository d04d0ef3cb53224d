"""A researcher's jobs and notifications in the console, in a real Chromium against the local platform
(schedules every second): a Cloudgene server (the contract fake, on loopback) registered through the
registry API as an admin would; a researcher signs in, drops a VCF, stores her token for the service
from the job's form, submits a job, follows it to completed, downloads its result and reads the
archive password; she cancels a running job and retries it; a bad input shows the problem's detail
and a submission whose answer was lost, sent again, makes one job; her notifications appear, are
read and deleted, and her preferences are kept. Every page is checked with axe and photographed.

Run by `test_console_in_browser.py` inside a loopback-only network namespace."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Route, expect

from tests.browser.harness import (
    PASSWORD,
    VALIDATION_TIMEOUT_MS,
    WatchedPage,
    confirmed_researcher,
    file_row,
    problem_shown,
    sign_in,
)
from tests.support.cloudgene import OK, CloudgeneFake
from tests.support.e2e_jobs import register_service, signed_in
from tests.support.job_world import HRC, SAMPLE
from tests.support.platform_process import RunningPlatform, eventually

TOKEN = "browser-researcher-cloudgene-token"
SERVICE = "Browser Cloudgene"
ARCHIVE = b"PK imputed chr20 " * 4096
# the platform polls a job a minute after it was submitted (services ask no more often), then copies its
# results in (minutes on a busy machine): the page shows each change within its own 5 s refresh
JOB_TIMEOUT_MS = 600_000


@dataclass
class Researcher:
    email: str
    headers: dict[str, str]
    service_id: str

    def store_token(self, platform_url: str) -> None:
        """Her token for the service stored through the API, as the jobs domain's end-to-end tests do."""
        url = f"{platform_url}/me/credentials/{self.service_id}"
        stored = httpx.put(url, json={"token": TOKEN}, headers=self.headers, timeout=60)
        assert stored.status_code in (200, 201), stored.text


@pytest.fixture(scope="module")
def fake() -> Iterator[CloudgeneFake]:
    with CloudgeneFake({TOKEN: "rosalind"}) as server:
        yield server


@pytest.fixture(scope="module")
def researcher(platform: RunningPlatform, fake: CloudgeneFake) -> Researcher:
    """The fake registered by the admin with one panel and found healthy by the sweep; a researcher
    signed up, her token for it not yet stored."""
    admin = platform.headers()
    body = {"name": SERVICE, "slug": "browser-cloudgene", "api_type": "michigan", "base_url": fake.base_url,
            "requires_user_token": True, "supported_builds": ["hg19"]}  # fmt: skip
    service_id = register_service(platform, admin, body, within=120)
    email = confirmed_researcher(platform, "rosalind.browser@example.org")
    return Researcher(email, signed_in(platform, email, PASSWORD), service_id)


def a_valid_file(console: WatchedPage) -> None:
    """Drop the sample VCF on My files and wait until it is valid."""
    console.drop_files("[data-testid=dropzone]", [SAMPLE])
    expect(file_row(console, SAMPLE.name, "valid").first).to_be_visible(timeout=VALIDATION_TIMEOUT_MS)


def fill_the_job_form(console: WatchedPage, name: str, *, panel: bool = True) -> None:
    """From the navigation to a filled "New job" form (the panel left unchosen when `panel` is false)."""
    page = console.page
    page.get_by_role("link", name="My jobs", exact=True).click()
    page.get_by_role("link", name="New job").click()
    expect(page.get_by_role("heading", name="New job")).to_be_visible()
    page.get_by_label("Job name").fill(name)
    page.get_by_role("checkbox", name=re.compile(re.escape(SAMPLE.name))).first.check()
    page.get_by_label("Service", exact=True).select_option(label=f"{SERVICE} (healthy)")
    page.get_by_label("Build", exact=True).select_option("hg19")
    if panel:
        page.get_by_label("Reference panel").select_option(HRC["slug"])
        page.get_by_label("Population").select_option("EUR")
    page.get_by_label("r² filter").fill("0.3")


def job_shown(console: WatchedPage, status: str, timeout: int | None = None) -> None:
    """Wait until the job's page shows it in this status."""
    expect(console.page.locator(f".job[data-status={status}]")).to_be_visible(timeout=timeout)


def submitted(console: WatchedPage, researcher: Researcher, name: str) -> tuple[str, str]:
    """The job's page, once the job was handed to the service: its id and the service's id of it."""
    expect(console.page.get_by_role("heading", name=f"Job {name}")).to_be_visible()
    job_id = console.page.url.rsplit("/", 1)[-1]

    def handed_over() -> str | None:
        shown = httpx.get(f"{console.url}/jobs/{job_id}", headers=researcher.headers, timeout=60).json()
        assert shown["status"] != "failed", shown["error"]
        return str(shown["external_id"]) if shown["external_id"] else None

    return job_id, eventually(handed_over, 120, "the job handed to the Cloudgene server", interval=0.5)


def unread(console: WatchedPage) -> int:
    """The count on the navigation's badge, once it shows one."""
    badge = console.page.get_by_test_id("unread-badge")
    expect(badge).to_have_text(re.compile(r"^\d+ unread$"))
    return int(badge.inner_text().split()[0])


def jobs_named(console: WatchedPage, researcher: Researcher, name: str) -> list[dict[str, Any]]:
    listed = httpx.get(f"{console.url}/jobs", params={"limit": 200}, headers=researcher.headers, timeout=60).json()
    return [job for job in listed["items"] if job["name"] == name]


def test_a_job_runs_from_sign_in_to_its_results_download(
    console: WatchedPage, researcher: Researcher, fake: CloudgeneFake
) -> None:
    page = console.page
    sign_in(console, researcher.email)
    a_valid_file(console)
    page.get_by_role("link", name="My jobs", exact=True).click()
    expect(page.get_by_text("You have no jobs yet.")).to_be_visible()
    console.assert_accessible("my jobs, empty")
    console.screenshot("11-jobs-empty")
    fill_the_job_form(console, "Walk to results")
    page.get_by_label("API token").fill(TOKEN)  # the service runs jobs under her own account: asked once
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Your token for {SERVICE} is stored.")).to_be_visible()
    console.assert_accessible("new job")
    console.screenshot("12-new-job")
    page.get_by_role("button", name="Submit job").dblclick()  # the second click finds the form busy
    _, external_id = submitted(console, researcher, "Walk to results")
    console.assert_accessible("a submitted job")
    console.screenshot("13-job-submitted")
    assert len(jobs_named(console, researcher, "Walk to results")) == 1
    assert fake.jobs[external_id].files == {SAMPLE.name: SAMPLE.read_bytes()}

    fake.complete(external_id, {"chr_20.zip": ARCHIVE})
    job_shown(console, "completed", JOB_TIMEOUT_MS)
    download = page.get_by_role("button", name="Download chr_20.zip")
    expect(download).to_be_visible(timeout=JOB_TIMEOUT_MS)
    expect(page.get_by_role("region", name="The service's steps")).to_contain_text("Imputation finished.")
    with page.expect_download() as downloaded:
        download.click()
    assert Path(downloaded.value.path()).read_bytes() == ARCHIVE
    page.get_by_role("button", name="Show the archive password").click()
    expect(page.get_by_test_id("archive-password")).to_have_text(fake.jobs[external_id].params["password"])
    console.assert_accessible("a completed job")
    console.screenshot("14-job-completed")

    page.get_by_role("link", name="My jobs", exact=True).click()
    row = page.get_by_role("row", name=re.compile("Walk to results"))
    expect(row).to_contain_text("completed")
    page.get_by_label("Status", exact=True).select_option("running")
    expect(page.get_by_text("You have no running jobs.")).to_be_visible()
    console.screenshot("15-jobs")
    assert console.console_errors == []
    assert console.failed_requests == []


def test_notifications_tell_of_the_job_and_are_read_deleted_and_configured(
    console: WatchedPage, researcher: Researcher
) -> None:
    page = console.page
    sign_in(console, researcher.email)
    # the walk's job (the test before) submitted and completed: the list shows them as they arrive
    page.get_by_role("link", name=re.compile("^Notifications")).click()
    completed = page.locator("li.notification", has_text="Job “Walk to results” completed")
    submitted_one = page.locator("li.notification", has_text="Job “Walk to results” was submitted")
    expect(completed).to_have_class(re.compile("unread"), timeout=JOB_TIMEOUT_MS)
    before = unread(console)
    assert before == page.locator("li.notification.unread").count()
    expect(submitted_one).to_be_visible()
    expect(completed.get_by_role("link")).to_have_attribute("href", re.compile(r"^#/jobs/[0-9a-f-]+$"))
    console.assert_accessible("notifications")
    console.screenshot("16-notifications")

    completed.get_by_role("button", name=re.compile("^Mark read")).click()
    expect(completed).not_to_have_class(re.compile("unread"))
    expect(page.get_by_test_id("unread-badge")).to_have_text(f"{before - 1} unread")
    page.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_test_id("unread-badge")).to_have_count(0)
    submitted_one.get_by_role("button", name=re.compile("^Delete")).click()
    expect(submitted_one).to_have_count(0)

    by_email = page.get_by_label("A job of yours was submitted: by email")
    expect(by_email).to_be_checked()
    by_email.uncheck()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_role("status")).to_contain_text("Your preferences are saved.")
    page.reload()
    expect(page.get_by_label("A job of yours was submitted: by email")).not_to_be_checked()
    expect(page.get_by_label("A job of yours was submitted: in the app")).to_be_checked()
    preferences = httpx.get(f"{console.url}/notifications/preferences", headers=researcher.headers, timeout=60)
    assert preferences.json()["job_submitted"] == "in_app"
    console.assert_accessible("notifications, read and configured")
    console.screenshot("17-notification-preferences")
    assert console.console_errors == []
    assert console.failed_requests == []


def test_a_running_job_is_cancelled_and_retried_from_its_page(
    console: WatchedPage, researcher: Researcher, fake: CloudgeneFake
) -> None:
    page = console.page
    researcher.store_token(console.url)
    sign_in(console, researcher.email)
    a_valid_file(console)
    fill_the_job_form(console, "To be cancelled")
    page.get_by_role("button", name="Submit job").click()
    job_id, external_id = submitted(console, researcher, "To be cancelled")
    fake.run(external_id, ("Input Validation", [(OK, "1 valid VCF file found.")]))
    job_shown(console, "running", JOB_TIMEOUT_MS)
    expect(page.get_by_role("region", name="The service's steps")).to_contain_text("1 valid VCF file found.")
    console.screenshot("18-job-running")

    page.get_by_role("button", name="Cancel the job").click()
    confirm = page.get_by_role("group", name="Cancel the job")
    expect(confirm.get_by_role("button", name="Yes, cancel it")).to_be_focused()
    console.assert_accessible("a running job, cancel asked")
    console.screenshot("19-job-cancel-confirm")
    page.keyboard.press("Enter")
    job_shown(console, "cancelled")
    assert fake.jobs[external_id].state == 6  # CANCELED on the server

    page.get_by_role("button", name="Retry the job").click()
    page.get_by_role("button", name="Yes, retry it").click()
    expect(page).not_to_have_url(re.compile(re.escape(job_id)))
    expect(page.get_by_role("heading", name="Job To be cancelled")).to_be_visible()
    again = httpx.get(page.url.replace("/#/jobs/", "/jobs/"), headers=researcher.headers, timeout=60).json()
    assert again["retry_of"] == job_id
    assert console.console_errors == []
    assert console.failed_requests == []


def test_a_bad_job_shows_the_problems_detail_and_a_lost_answer_sent_again_makes_one_job(
    console: WatchedPage, researcher: Researcher
) -> None:
    page = console.page
    researcher.store_token(console.url)
    sign_in(console, researcher.email)
    a_valid_file(console)
    fill_the_job_form(console, "Sent twice", panel=False)
    problem = problem_shown(console, "/jobs", "Submit job")
    assert [error["location"] for error in problem["errors"]] == ["body.panel"]  # the panel left unchosen
    console.assert_accessible("new job with a problem")
    console.screenshot("20-new-job-problem")

    page.get_by_label("Reference panel").select_option(HRC["slug"])
    lost: list[int] = []

    def lose_the_answer(route: Route) -> None:
        lost.append(route.fetch().status)  # the platform makes the job; its answer never reaches the tab
        route.abort("connectionreset")

    page.route(f"{console.url}/jobs", lose_the_answer, times=1)
    page.get_by_role("button", name="Submit job").click()
    expect(page.get_by_role("alert")).to_contain_text("could not be reached")
    with page.expect_response(lambda answer: answer.url.endswith("/jobs")) as again:
        page.get_by_role("button", name="Submit job").click()
    assert (lost, again.value.status) == ([201], 200)  # the same key: the first job, not a second
    expect(page.get_by_role("heading", name="Job Sent twice")).to_be_visible()
    assert len(jobs_named(console, researcher, "Sent twice")) == 1
    assert console.failed_requests == [
        f"POST {console.url}/jobs: 422",
        f"POST {console.url}/jobs: net::ERR_CONNECTION_RESET",
    ]
    assert [error for error in console.console_errors if "422" not in error and "CONNECTION_RESET" not in error] == []

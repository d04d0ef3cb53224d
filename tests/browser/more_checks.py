"""The console's residency and dashboard pages in a real Chromium against the local platform (schedules
every second): the platform's admin sets the residency policy (a code that is no country is refused, its
message shown next to the countries field), a researcher narrows where her file may go and sees a
submission to a service outside that narrowing refused with the rule's detail; she widens it, her job
completes on the Cloudgene contract fake, her file's record says where it went, and her dashboard's
figures agree with her jobs (an admin's dashboard is refused to her); the admin's platform dashboard
shows the job by service and the service's uptime measured by the sweep. Every page is checked with axe
and photographed.

Run by `test_console_in_browser.py` inside a loopback-only network namespace."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.admin_checks import admin_signs_in, field_error, nav
from tests.browser.harness import (
    PASSWORD,
    VALIDATION_TIMEOUT_MS,
    WatchedPage,
    confirmed_researcher,
    file_row,
    problem_shown,
    sign_in,
)
from tests.browser.job_checks import ARCHIVE, JOB_TIMEOUT_MS, job_shown
from tests.support.cloudgene import CloudgeneFake
from tests.support.e2e_jobs import register_service, signed_in
from tests.support.job_world import HRC, SAMPLE
from tests.support.platform_process import RunningPlatform, eventually

TOKEN = "browser-more-cloudgene-token"
SERVICE = "Cape Town Cloudgene"
RESEARCHER = "ada.more@example.org"


@pytest.fixture(scope="module")
def fake() -> Iterator[CloudgeneFake]:
    with CloudgeneFake({TOKEN: "ada"}) as server:
        yield server


@pytest.fixture(scope="module")
def service_id(platform: RunningPlatform, fake: CloudgeneFake) -> str:
    """The fake registered in South Africa with one panel, found healthy by the sweep; the researcher
    signed up with her token for it stored."""
    admin = platform.headers()
    body = {"name": SERVICE, "slug": "cape-town-cloudgene", "api_type": "michigan", "base_url": fake.base_url,
            "requires_user_token": True, "supported_builds": ["hg19"],
            "location": {"country": "ZA", "city": "Cape Town"}}  # fmt: skip
    service = register_service(platform, admin, body, within=120)
    confirmed_researcher(platform, RESEARCHER)
    mine = signed_in(platform, RESEARCHER, PASSWORD)
    stored = httpx.put(f"{platform.url}/me/credentials/{service}", json={"token": TOKEN}, headers=mine, timeout=60)
    assert stored.status_code in (200, 201), stored.text
    return service


def test_an_admin_sets_the_residency_policy_and_a_bad_code_is_shown_next_to_its_field(
    console: WatchedPage, platform: RunningPlatform, service_id: str
) -> None:
    page = console.page
    admin_signs_in(console, platform)
    nav(console).get_by_role("link", name="Residency").click()
    expect(page.get_by_role("heading", name="Residency policy")).to_be_visible()
    expect(page.get_by_text("An empty list means no restriction")).to_be_visible()
    expect(page.get_by_test_id("rule-countries")).to_have_text("any")
    countries = "Countries (ISO 3166-1 codes, e.g. ZA, NG)"
    page.get_by_label(countries, exact=True).fill("ZA, UK")
    problem = problem_shown(console, "/residency-policy", "Save where data may go")
    [error] = problem["errors"]
    assert error["location"] == "body.allowed_countries.1"
    assert "'UK' is not an ISO 3166-1 alpha-2 country code" in error["message"]
    expect(field_error(console, countries)).to_have_text(error["message"])
    console.assert_accessible("the residency policy, with a problem")
    console.screenshot("more-01-residency-problem")

    page.get_by_label(countries, exact=True).fill("za ng")  # written any way: capitals, each once
    page.get_by_role("checkbox", name=re.compile(SERVICE)).check()
    with page.expect_response(lambda answer: answer.request.method == "PUT") as put:
        page.get_by_role("button", name="Save where data may go").click()
    assert put.value.status == 200
    assert put.value.request.post_data_json == {"allowed_countries": ["ZA", "NG"], "allowed_services": [service_id]}
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.get_by_test_id("rule-countries")).to_have_text("ZA, NG")
    expect(page.get_by_test_id("rule-services")).to_have_text(SERVICE)
    policy = httpx.get(f"{console.url}/residency-policy", headers=platform.headers(), timeout=60).json()
    assert (policy["allowed_countries"], policy["allowed_services"]) == (["ZA", "NG"], [service_id])
    console.assert_accessible("the residency policy, set")
    console.screenshot("more-02-residency-set")
    assert [error for error in console.console_errors if "422" not in error] == []
    assert console.failed_requests == [f"PUT {console.url}/residency-policy: 422"]


def test_a_researcher_narrows_her_file_and_a_job_outside_it_is_refused_with_the_rule(
    console: WatchedPage, platform: RunningPlatform, service_id: str
) -> None:
    page = console.page
    sign_in(console, RESEARCHER)
    console.open("admin/residency")  # everyone reads the policy that binds their data; admins alone change it
    expect(page.get_by_test_id("rule-countries")).to_have_text("ZA, NG")
    expect(page.get_by_text("Only a platform admin changes the policy")).to_be_visible()
    expect(page.get_by_role("button", name="Save where data may go")).to_have_count(0)
    expect(page.get_by_role("link", name="Residency")).to_have_count(0)  # not in her navigation
    console.open("files")
    expect(page.get_by_role("heading", name="My files")).to_be_visible()
    console.drop_files("[data-testid=dropzone]", [SAMPLE])
    row = file_row(console, SAMPLE.name, "valid").first
    expect(row).to_be_visible(timeout=VALIDATION_TIMEOUT_MS)
    file_id = row.get_by_test_id(re.compile("^residency-")).get_attribute("data-testid").removeprefix("residency-")  # type: ignore[union-attr]
    row.get_by_text(f"Where {SAMPLE.name} may go", exact=True).click()
    where = row.get_by_test_id(f"residency-{file_id}")
    expect(where.get_by_test_id("rule-countries").first).to_have_text("ZA, NG")  # the platform's
    expect(where.get_by_test_id("rule-countries").last).to_have_text("not narrowed")  # hers
    where.get_by_label("Countries (ISO 3166-1 codes, e.g. ZA, NG)", exact=True).fill("NG")
    with page.expect_response(lambda answer: answer.url.endswith(f"/files/{file_id}/residency")) as put:
        where.get_by_role("button", name=f"Save where {SAMPLE.name} may go").click()
    assert put.value.status == 200, put.value.text()
    expect(where.get_by_role("status")).to_have_text("Saved.")
    expect(where.get_by_test_id("rule-countries").last).to_have_text("NG")
    expect(where.get_by_test_id("services-allowed")).to_have_text(re.compile("^No registered service passes"))
    console.assert_accessible("my files, a file narrowed")
    console.screenshot("more-03-file-narrowed")

    page.get_by_role("link", name="My jobs", exact=True).click()
    page.get_by_role("link", name="New job").click()
    expect(page.get_by_role("heading", name="New job")).to_be_visible()
    page.get_by_label("Job name").fill("Outside Nigeria")
    page.get_by_role("checkbox", name=re.compile(re.escape(SAMPLE.name))).first.check()
    page.get_by_label("Service", exact=True).select_option(label=f"{SERVICE} (healthy)")
    page.get_by_label("Build", exact=True).select_option("hg19")
    page.get_by_label("Reference panel").select_option(HRC["slug"])
    page.get_by_label("Population").select_option("EUR")
    problem = problem_shown(console, "/jobs", "Submit job")
    [error] = problem["errors"]
    assert (error["location"], error["type"]) == ("body.service", "residency_policy")
    assert "outside the residency policy" in problem["detail"]
    expect(page.get_by_role("alert")).to_contain_text("NG")  # the rule it breaks, named
    console.assert_accessible("new job, refused by a residency rule")
    console.screenshot("more-04-job-outside-residency")
    assert [error for error in console.console_errors if "422" not in error] == []
    assert console.failed_requests == [f"POST {console.url}/jobs: 422"]


def test_a_researchers_job_completes_and_her_dashboard_agrees_with_her_jobs(
    console: WatchedPage, platform: RunningPlatform, service_id: str, fake: CloudgeneFake
) -> None:
    page = console.page
    mine = signed_in(platform, RESEARCHER, PASSWORD)
    sign_in(console, RESEARCHER)
    row = file_row(console, SAMPLE.name, "valid").first
    row.get_by_text(f"Where {SAMPLE.name} may go", exact=True).click()
    row.get_by_label("Countries (ISO 3166-1 codes, e.g. ZA, NG)", exact=True).fill("ZA")
    row.get_by_role("button", name=f"Save where {SAMPLE.name} may go").click()
    expect(row.get_by_role("status")).to_have_text("Saved.")
    expect(row.get_by_test_id("services-allowed")).to_have_text(f"Services that may take it now: {SERVICE}.")

    page.get_by_role("link", name="My jobs", exact=True).click()
    page.get_by_role("link", name="New job").click()
    page.get_by_label("Job name").fill("Within South Africa")
    page.get_by_role("checkbox", name=re.compile(re.escape(SAMPLE.name))).first.check()
    page.get_by_label("Service", exact=True).select_option(label=f"{SERVICE} (healthy)")
    page.get_by_label("Build", exact=True).select_option("hg19")
    page.get_by_label("Reference panel").select_option(HRC["slug"])
    page.get_by_label("Population").select_option("EUR")
    page.get_by_role("button", name="Submit job").click()
    expect(page.get_by_role("heading", name="Job Within South Africa")).to_be_visible()
    job_id = page.url.rsplit("/", 1)[-1]

    def handed_over() -> str | None:
        shown = httpx.get(f"{console.url}/jobs/{job_id}", headers=mine, timeout=60).json()
        assert shown["status"] != "failed", shown["error"]
        return str(shown["external_id"]) if shown["external_id"] else None

    external_id = eventually(handed_over, 120, "the job handed to the Cloudgene server", interval=0.5)
    fake.complete(external_id, {"chr_20.zip": ARCHIVE})
    job_shown(console, "completed", JOB_TIMEOUT_MS)

    # where the file went, for an ethics report
    page.get_by_role("link", name="My files", exact=True).click()
    row = file_row(console, SAMPLE.name, "valid").first
    row.get_by_text(f"Where {SAMPLE.name} may go", exact=True).click()
    expect(row.get_by_text(re.compile(f"^Sent so far to: {SERVICE} \\("))).to_be_visible()

    # the dashboard: the monitoring domain folds her job's transitions in as their events arrive
    jobs = httpx.get(f"{console.url}/jobs", params={"limit": 200}, headers=mine, timeout=60).json()
    assert [job["status"] for job in jobs["items"]] == ["completed"]  # the refused one was never made

    def counted() -> dict[str, Any] | None:
        figures: dict[str, Any] = httpx.get(f"{console.url}/dashboard", headers=mine, timeout=60).json()
        done = figures["by_status"]["completed"] == 1 and figures["turnaround_seconds"]["count"] == 1
        return figures if done else None

    figures = eventually(counted, 120, "her completed job on her dashboard", interval=1.0)
    assert (figures["total"], figures["success_rate"]) == (jobs["total"], 1.0)
    page.get_by_role("link", name="My dashboard", exact=True).click()
    expect(page.get_by_role("heading", name="My dashboard")).to_be_visible()
    expect(page.get_by_test_id("jobs-total")).to_have_text("1")
    expect(page.get_by_test_id("success-rate")).to_have_text("100.0%")
    expect(page.get_by_test_id("by-status").locator("td[data-status=completed]")).to_have_text("1")
    expect(page.get_by_test_id("by-status").locator("td[data-status=failed]")).to_have_text("0")
    expect(page.get_by_test_id("turnaround")).to_contain_text("(of 1)")
    days_chart = r"^Jobs completed per day, the last 30 days: 30 points from .*: jobs completed from 0 to 1 jobs"
    chart = page.get_by_role("img", name=re.compile(days_chart))
    expect(chart).to_be_visible()
    console.assert_accessible("my dashboard")
    console.screenshot("more-05-my-dashboard")

    # the platform's dashboard is for admins: the API's refusal is what she reads
    with page.expect_response(lambda answer: answer.url.endswith("/dashboard/services/at-risk")) as refused:
        console.open("admin/platform")
    assert refused.value.status == 403
    # the page asks its three parts at once: each part shows its own refusal once its answer is in
    expect(page.get_by_role("alert")).to_have_count(3)
    expect(page.get_by_role("link", name="Platform dashboard")).to_have_count(0)  # no admin navigation
    assert [error for error in console.console_errors if "403" not in error] == []
    admins_only = (
        "/dashboard/platform?days=30&users=20",
        "/dashboard/services?hours=24",
        "/dashboard/services/at-risk",
    )
    assert sorted(console.failed_requests) == sorted(f"GET {console.url}{path}: 403" for path in admins_only)


def test_the_admins_platform_dashboard_shows_the_job_by_service_and_the_services_uptime(
    console: WatchedPage, platform: RunningPlatform, service_id: str
) -> None:
    page = console.page
    admin = platform.headers()

    def measured() -> dict[str, Any] | None:
        board = httpx.get(f"{console.url}/dashboard/services", headers=admin, timeout=60).json()
        [service] = [one for one in board["services"] if one["service_id"] == service_id]
        return service if service["uptime"]["last_24h"] is not None and service["response_time_ms"]["count"] else None

    service = eventually(measured, 120, "the sweep's checks on the services dashboard", interval=1.0)
    assert service["uptime"]["last_24h"] == 100.0
    admin_signs_in(console, platform)
    nav(console).get_by_role("link", name="Platform dashboard").click()
    expect(page.get_by_role("heading", name="Platform dashboard")).to_be_visible()
    uptime = page.get_by_test_id("uptime").locator(f"tr[data-service='{service_id}']")
    expect(uptime).to_contain_text(SERVICE)
    expect(uptime).to_contain_text("healthy")
    expect(uptime.locator("td").nth(1)).to_have_text("100.0%")  # every check of the fake found it healthy
    expect(uptime.locator("td").nth(4)).to_contain_text("median")
    hourly = f"^{SERVICE}: median response time hour by hour: \\d+ points? from"
    chart = page.get_by_role("img", name=re.compile(hourly))
    expect(chart).to_be_visible()
    by_service = page.get_by_role("table", name="Jobs by service").get_by_role("row", name=re.compile(SERVICE))
    expect(by_service.locator("td").first).to_have_text("1")
    expect(page.get_by_text("No service is at risk")).to_be_visible()
    expect(page.get_by_test_id("jobs-total")).to_have_text("1")
    console.assert_accessible("the platform dashboard")
    console.screenshot("more-06-platform-dashboard")
    assert console.console_errors == []
    assert console.failed_requests == []

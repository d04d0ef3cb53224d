"""The console's residency pages in a real Chromium against the local platform (schedules every second):
the platform's admin sets the residency policy (a code that is no country is refused, its message shown
next to the countries field), a researcher narrows where her file may go and sees a submission to a
service outside that narrowing refused with the rule's detail. Every page is checked with axe and
photographed.

Run by `test_console_in_browser.py` inside a loopback-only network namespace."""

from __future__ import annotations

import re
from collections.abc import Iterator

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
from tests.support.cloudgene import CloudgeneFake
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
    created = httpx.post(f"{platform.url}/services", json=body, headers=admin, timeout=60)
    assert created.status_code == 201, created.text
    service = str(created.json()["id"])
    panel = httpx.post(f"{platform.url}/services/{service}/panels", json=HRC, headers=admin, timeout=60)
    assert panel.status_code == 201, panel.text

    def healthy() -> bool | None:
        report = httpx.get(f"{platform.url}/services/{service}/health", headers=admin, timeout=60).json()
        return True if report["health"]["status"] == "healthy" else None

    eventually(healthy, 120, "the sweep finding the Cloudgene server healthy", interval=1.0)
    confirmed_researcher(platform, RESEARCHER)
    tokens = httpx.post(f"{platform.url}/auth/sign-in", json={"email": RESEARCHER, "password": PASSWORD}, timeout=60)
    mine = {"Authorization": f"Bearer {tokens.json()['access_token']}"}
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

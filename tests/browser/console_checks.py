"""The web console in a real Chromium against the local platform, as a person uses it: sign up,
confirm, sign in, drop a VCF and see it valid, see another's findings, read a problem's detail, resume
an upload after its connection was cut, see the services, sign out; every page checked with axe and
photographed, and no console error or failed request that the test did not cause on purpose.

Run by `test_console_in_browser.py` inside a loopback-only network namespace:
`python -m pytest tests/browser/console_checks.py`."""

from __future__ import annotations

import re

import httpx
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
from tests.conftest import REPO
from tests.support.platform_process import RunningPlatform

VCF = REPO / "tests" / "data" / "vcf"
VALID = VCF / "chr20.tiny.100snps.vcf.gz"
TOO_FEW_SAMPLES = VCF / "testdata_chr22_48513151_50509881_phased.vcf.gz"  # 7 samples, under the minimum of 20


# the console's stored session (web/src/session.ts), and the same made to expire now (answers that moment)
READ_THE_SESSION = "() => JSON.parse(sessionStorage.getItem('fip.session'))"
AGE_THE_SESSION = """() => {
    const now = Date.now();
    const stored = JSON.parse(sessionStorage.getItem("fip.session"));
    sessionStorage.setItem("fip.session", JSON.stringify({ ...stored, expires_at: now }));
    return now;
}"""


def cut_the_first_part_put(console: WatchedPage, platform: RunningPlatform) -> list[str]:
    """Reset the connection of the first PUT to storage (a part's upload); answers the URLs cut."""
    cut: list[str] = []

    def cut_once(route: Route) -> None:
        if route.request.method == "PUT" and not cut:
            cut.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    console.page.route(f"{platform.aws_endpoint}/**", cut_once)
    return cut


def test_a_researcher_signs_up_confirms_signs_in_and_uploads_a_valid_vcf(console: WatchedPage) -> None:
    page = console.page
    email = "ada.browser@example.org"
    console.open("sign-up")
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    console.assert_accessible("sign-up")
    console.screenshot("01-sign-up")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Name", exact=True).fill("Ada")
    page.get_by_label("Institution", exact=True).fill("UCT")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", name="Confirm your email")).to_be_visible()
    expect(page.get_by_label("Email", exact=True)).to_have_value(email)
    page.get_by_role("button", name="Send a new code").click()
    expect(page.get_by_role("status")).to_contain_text("code")  # the same answer for any email
    console.assert_accessible("confirm")
    console.screenshot("02-confirm")
    page.get_by_label("Code", exact=True).fill("123456")  # locally any 6 digits confirm (moto checks no code)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Your email is confirmed")
    console.assert_accessible("sign-in")
    console.screenshot("03-sign-in")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="My files")).to_be_visible()
    expect(page.get_by_text("You have no files yet")).to_be_visible()
    console.assert_accessible("my files, empty")
    console.screenshot("04-files-empty")

    console.drop_files("[data-testid=dropzone]", [VALID, TOO_FEW_SAMPLES])
    expect(page.get_by_role("progressbar", name=re.compile(VALID.name))).to_be_visible()
    expect(file_row(console, VALID.name, "valid")).to_be_visible(timeout=VALIDATION_TIMEOUT_MS)
    expect(file_row(console, VALID.name, "valid")).to_contain_text("51 samples, 100 variants on chromosome 20")
    invalid = file_row(console, TOO_FEW_SAMPLES.name, "invalid")
    expect(invalid).to_be_visible(timeout=VALIDATION_TIMEOUT_MS)
    findings = invalid.get_by_role("table", name=f"Validation findings for {TOO_FEW_SAMPLES.name}")
    columns = ["Severity", "Line", "Sample", "Problem", "How to fix it"]
    expect(findings.get_by_role("columnheader")).to_have_text(columns)
    expect(findings.get_by_role("row").nth(1)).to_contain_text("error")
    console.assert_accessible("my files, validated")
    console.screenshot("05-files-validated")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert console.console_errors == []
    assert console.failed_requests == []


def test_a_bad_input_shows_the_problems_detail(console: WatchedPage) -> None:
    page = console.page
    console.open("sign-up")
    page.get_by_label("Email", exact=True).fill("weak.password@example.org")
    page.get_by_label("Password", exact=True).fill("short")
    problem_shown(console, "/auth/sign-up", "Create account")
    console.assert_accessible("sign-up with a problem")
    console.screenshot("06-sign-up-problem")
    assert console.failed_requests == [f"POST {console.url}/auth/sign-up: 422"]
    assert [error for error in console.console_errors if "422" not in error] == []


def test_an_upload_cut_mid_way_resumes_with_what_storage_lacks(console: WatchedPage, platform: RunningPlatform) -> None:
    page = console.page
    sign_in(console, confirmed_researcher(platform, "grace.browser@example.org"))
    cut = cut_the_first_part_put(console, platform)
    console.drop_files("[data-testid=dropzone]", [VALID])
    resume = page.get_by_role("button", name=f"Resume {VALID.name}")
    expect(resume).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Upload interrupted")
    console.assert_accessible("my files, upload interrupted")
    console.screenshot("07-upload-interrupted")

    with page.expect_response(re.compile(r"/files/[0-9a-f-]+/upload$")) as asked:
        resume.focus()
        page.keyboard.press("Enter")
    assert asked.value.status == 200
    assert asked.value.json()["received"] == []  # the cut part never reached storage: it is sent again
    expect(file_row(console, VALID.name, "valid")).to_be_visible(timeout=VALIDATION_TIMEOUT_MS)
    console.screenshot("08-upload-resumed")
    assert len(cut) == 1
    assert console.failed_requests == [f"PUT {cut[0]}: net::ERR_CONNECTION_RESET"]
    assert [error for error in console.console_errors if "ERR_CONNECTION_RESET" not in error] == []


def test_an_upload_cut_then_reloaded_resumes_when_the_same_file_is_chosen_again(
    console: WatchedPage, platform: RunningPlatform
) -> None:
    page = console.page
    sign_in(console, confirmed_researcher(platform, "hedy.browser@example.org"))
    cut = cut_the_first_part_put(console, platform)
    console.drop_files("[data-testid=dropzone]", [VALID])
    expect(page.get_by_role("button", name=f"Resume {VALID.name}")).to_be_visible()
    expect(file_row(console, VALID.name, "uploading")).to_be_visible()  # the list has answered: nothing in flight
    page.reload()  # the tab forgets the upload; the platform still knows the file is uploading
    resume = page.get_by_role("button", name=f"Resume upload of {VALID.name}")
    expect(file_row(console, VALID.name, "uploading")).to_be_visible()
    console.assert_accessible("my files, an upload to resume")
    console.screenshot("09-upload-to-resume")
    with page.expect_file_chooser() as chooser:
        resume.focus()
        page.keyboard.press("Enter")
    chooser.value.set_files(str(VALID))
    expect(file_row(console, VALID.name, "valid")).to_be_visible(timeout=VALIDATION_TIMEOUT_MS)
    assert console.failed_requests == [f"PUT {cut[0]}: net::ERR_CONNECTION_RESET"]


def test_services_at_a_glance(console: WatchedPage, platform: RunningPlatform) -> None:
    page = console.page
    sign_in(console, confirmed_researcher(platform, "barbara.browser@example.org"))
    # a session whose access token is about to expire is renewed with its refresh token first
    before = page.evaluate(READ_THE_SESSION)
    aged = page.evaluate(AGE_THE_SESSION)
    with page.expect_response(lambda answer: answer.url.endswith("/auth/refresh")) as renewed:
        page.get_by_role("link", name="Services").click()
    assert renewed.value.status == 200
    # the console keeps the new tokens once it has read the answer, a moment after the answer arrives
    page.wait_for_function(
        "(old) => JSON.parse(sessionStorage.getItem('fip.session')).access_token !== old", arg=before["access_token"]
    )
    after = page.evaluate(READ_THE_SESSION)
    assert after["access_token"] != before["access_token"]
    assert after["expires_at"] > aged + 60_000  # counted afresh from the new token's lifetime
    expect(page.get_by_text("No imputation service is registered yet.")).to_be_visible()
    console.assert_accessible("services, empty")

    service = {
        "name": "H3Africa Imputation Server",
        "slug": "h3africa",
        "api_type": "michigan",
        "base_url": "https://impute.example.org",
        "institution": "AfriGen-D",
        "location": {"country": "ZA", "city": "Cape Town", "latitude": -33.92, "longitude": 18.42},
        "supported_builds": ["hg19", "hg38"],
    }
    created = httpx.post(f"{platform.url}/services", json=service, headers=platform.headers(), timeout=60)
    assert created.status_code == 201, created.text
    page.reload()
    row = page.get_by_role("row", name=re.compile("H3Africa Imputation Server"))
    expect(row).to_contain_text("Michigan (Cloudgene)")
    expect(row).to_contain_text("Cape Town, ZA")
    expect(row).to_contain_text("hg19, hg38")
    console.assert_accessible("services")
    console.screenshot("10-services")
    assert console.console_errors == []
    assert console.failed_requests == []

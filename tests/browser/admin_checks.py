"""The console's admin pages in a real Chromium against the local platform (schedules every second): the
platform's admin signs in with her authenticator code, registers the Cloudgene contract fake (on loopback)
after testing its connection, is shown a bad slug's problem next to the field, edits it (tested again),
syncs its panels from its app list and sees what changed, checks it now and sees its health history as a
chart and as a table; she grants a researcher a role for that service until a moment (a moment past is
refused with the problem's detail), revokes it, disables and enables the account, and finds those actions
in the audit log by its filters. A researcher sees no admin navigation and, at #/admin/users by hand,
reads the API's refusal. Every page is checked with axe and photographed.

Run by `test_console_in_browser.py` inside a loopback-only network namespace."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Locator, expect

from tests.browser.harness import WatchedPage, confirmed_researcher, problem_shown, sign_in
from tests.support.cloudgene import CloudgeneFake, reference_panel_app
from tests.support.cognito import totp
from tests.support.platform_process import ADMIN_EMAIL, ADMIN_PASSWORD, RunningPlatform, eventually

SERVICE = "Admin walk Cloudgene"
SLUG = "admin-walk-cloudgene"
CLOUDGENE_ADMIN_TOKEN = "browser-cloudgene-admin-token"  # the fake server's own admin, for the panel sync
PANEL = reference_panel_app("h3africa-v6hc-s@1.0.0", "H3Africa v6", "hg38", [("afr", "AFR", 4447)])
PANEL_SLUG = "apps@h3africa-v6hc-s@1.0.0"
RESEARCHER = "marie.admin-walk@example.org"
AUDIT_TIMEOUT_S = 120
# the health chart as it is drawn now: its accessible name, its table's caption, rows and rows noted healthy
CHART_NOW = """() => {
    const figure = document.querySelector("figure.chart");
    const rows = [...figure.querySelectorAll("tbody tr")];
    return [figure.querySelector("svg").getAttribute("aria-label"), figure.querySelector("caption").textContent,
            rows.length, rows.filter(row => row.cells[2].textContent === "healthy").length];
}"""  # the registry's audit records reach the log through its outbox and the event bus


@pytest.fixture(scope="module")
def fake() -> Iterator[CloudgeneFake]:
    with CloudgeneFake({CLOUDGENE_ADMIN_TOKEN: "admin"}, admins=frozenset({"admin"})) as server:
        server.apps.append(PANEL)
        yield server


@pytest.fixture(scope="module")
def admin(platform: RunningPlatform) -> str:
    """The platform's first admin, her authenticator app turned on (the role waits for it): her email."""
    platform.sign_in()
    return ADMIN_EMAIL


def admin_signs_in(console: WatchedPage, platform: RunningPlatform) -> None:
    """Email and password, then the authenticator's code, through the console's forms."""
    page = console.page
    console.open("sign-in")
    page.get_by_label("Email", exact=True).fill(ADMIN_EMAIL)
    page.get_by_label("Password", exact=True).fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    page.get_by_label("Code from your authenticator app").fill(totp(platform.totp_secrets[ADMIN_EMAIL], time.time()))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My files")).to_be_visible()
    expect(nav(console).get_by_role("link", name="Users")).to_be_visible()  # GET /me answered her grants


def nav(console: WatchedPage) -> Locator:
    return console.page.get_by_role("navigation", name="Main")


def field_error(console: WatchedPage, label: str) -> Locator:
    """The error shown next to a field: what its aria-describedby names, besides its hint."""
    field = console.page.get_by_label(label, exact=True)
    expect(field).to_have_attribute("aria-invalid", "true")
    ids = (field.get_attribute("aria-describedby") or "").split()
    [error_id] = [one for one in ids if one.endswith("-error")]
    return console.page.locator(f'[id="{error_id}"]')


def test_an_admin_registers_tests_edits_syncs_and_checks_a_service(
    console: WatchedPage, platform: RunningPlatform, fake: CloudgeneFake, admin: str
) -> None:
    page = console.page
    admin_signs_in(console, platform)
    nav(console).get_by_role("link", name="Services").click()
    page.get_by_role("link", name="Register a service").click()
    expect(page.get_by_role("heading", name="Register a service")).to_be_visible()
    page.get_by_label("Name", exact=True).fill(SERVICE)
    page.get_by_label("Slug", exact=True).fill("Not A Slug")
    page.get_by_label("Kind", exact=True).select_option("michigan")
    page.get_by_label("Address", exact=True).fill(fake.base_url)
    page.get_by_label("City", exact=True).fill("Cape Town")
    page.get_by_label("Country", exact=True).fill("ZA")
    page.get_by_role("checkbox", name="hg19").uncheck()
    register = page.get_by_role("button", name="Register the service")
    expect(register).to_be_disabled()  # the connection is tested first

    with page.expect_response(lambda answer: answer.url.endswith("/services/test-connection")) as tested:
        page.get_by_role("button", name="Test connection").click()
    assert tested.value.status == 200
    expect(page.get_by_test_id("probe-result")).to_contain_text("Connection works")
    expect(register).to_be_enabled()
    problem = problem_shown(console, "/services", "Register the service")
    [slug_error] = [error for error in problem["errors"] if error["location"] == "body.slug"]
    expect(field_error(console, "Slug")).to_have_text(slug_error["message"])
    console.assert_accessible("register a service, tested, with a problem")
    console.screenshot("admin-01-register-problem")

    page.get_by_label("Slug", exact=True).fill(SLUG)
    register.click()
    expect(page.get_by_role("heading", name=SERVICE)).to_be_visible()
    service_id = page.url.rsplit("/", 1)[-1]
    expect(page.get_by_text(fake.base_url)).to_be_visible()

    # edit: the address is tested again before anything is saved
    page.get_by_role("link", name="Edit the service").click()
    expect(page.get_by_role("heading", name=f"Edit {SERVICE}")).to_be_visible()
    page.get_by_label("Institution", exact=True).fill("AfriGen-D")
    save = page.get_by_role("button", name="Save changes")
    expect(save).to_be_disabled()
    page.get_by_role("button", name="Test connection").click()
    expect(page.get_by_test_id("probe-result")).to_contain_text("Connection works")
    console.assert_accessible("edit a service, tested")
    save.click()
    expect(page.get_by_role("heading", name=SERVICE)).to_be_visible()
    expect(page.locator(".facts").first).to_contain_text("AfriGen-D")

    # panels: none registered, then the sync reads the server's app list and says what it added
    panels = page.get_by_role("region", name="Reference panels")
    expect(panels.get_by_text("The service has no reference panel registered.")).to_be_visible()
    page.get_by_label("Cloudgene admin API token").fill(CLOUDGENE_ADMIN_TOKEN)
    page.get_by_role("button", name="Sync panels").click()
    report = page.get_by_test_id("sync-report")
    expect(report).to_contain_text("1 panel changed.")
    expect(report).to_contain_text(f"Added {PANEL_SLUG} (H3Africa v6, hg38)")
    expect(panels.get_by_role("row", name=re.compile("H3Africa v6"))).to_contain_text("afr")

    # check now: the answer, and the history chart drawn from the checks so far
    with page.expect_response(lambda answer: answer.url.endswith(f"/services/{service_id}/health-check")) as checked:
        page.get_by_role("button", name="Check now").click()
    assert checked.value.status == 200
    expect(page.get_by_text("Checked just now: healthy")).to_be_visible()
    expect(page.get_by_test_id("health-now")).to_have_attribute("data-status", "healthy")
    chart = page.get_by_role("img", name=re.compile(r"^Response time of the last \d+ checks: \d+ points? from"))
    expect(chart).to_be_visible()
    page.get_by_text(re.compile("as a table$")).click()
    expect(page.get_by_role("table", name=re.compile("^Response time of the last"))).to_be_visible()
    # the sweep goes on checking: the chart's name, its table's caption and rows read at one moment
    name, caption, rows, healthy = page.evaluate(CHART_NOW)
    points = int(re.match(r"Response time of the last (\d+) checks", caption).group(1))  # type: ignore[union-attr]
    assert points >= 1
    assert name.startswith(f"{caption}: {points} point")
    assert (rows, healthy) == (points, points)  # every check found the fake healthy
    console.assert_accessible("a service, synced and checked")
    console.screenshot("admin-02-service")

    nav(console).get_by_role("link", name="Services").click()
    row = page.get_by_role("row", name=re.compile(SERVICE))
    expect(row).to_contain_text("healthy")
    expect(row).to_contain_text("Cape Town, ZA")
    expect(row).to_contain_text("100.0%")  # every check found it healthy (the API answers a percentage)
    console.assert_accessible("services, an admin's")
    console.screenshot("admin-03-services")
    # the link an email about the service carries opens its page
    console.open(f"services/{service_id}")
    expect(page.get_by_role("heading", name=SERVICE)).to_be_visible()
    assert [error for error in console.console_errors if "422" not in error] == []
    assert console.failed_requests == [f"POST {console.url}/services: 422"]


def test_an_admin_grants_and_revokes_a_role_disables_an_account_and_finds_it_all_in_the_audit_log(
    console: WatchedPage, platform: RunningPlatform, admin: str
) -> None:
    page = console.page
    confirmed_researcher(platform, RESEARCHER)
    admin_signs_in(console, platform)
    nav(console).get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    page.get_by_label("Find users").fill("marie.admin-walk")
    page.keyboard.press("Enter")
    expect(page.get_by_role("row")).to_have_count(2)  # the header and her
    console.assert_accessible("users, found")
    console.screenshot("admin-04-users")
    page.get_by_role("link", name=RESEARCHER).click()
    expect(page.get_by_role("heading", name=RESEARCHER)).to_be_visible()
    user_id = page.url.rsplit("/", 1)[-1]

    # a moment past is refused: the problem's detail shown
    page.get_by_label("Role", exact=True).select_option("viewer")
    page.get_by_label("For", exact=True).select_option(label=SERVICE)
    page.get_by_label("Until", exact=True).fill("2020-01-31T09:00")
    problem = problem_shown(console, f"/users/{user_id}/roles", "Grant the role")
    assert "future" in problem["detail"]
    console.assert_accessible("grant a role, with a problem")

    until = (datetime.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    page.get_by_label("Until", exact=True).fill(until.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Grant the role").click()
    expect(page.get_by_role("status")).to_contain_text("Granted viewer (one service) until")
    roles = page.get_by_role("table", name="Their role grants, newest first")
    granted = roles.get_by_role("row", name=re.compile("^viewer"))
    expect(granted).to_contain_text(SERVICE)
    expect(granted).to_contain_text("in force")
    grants = httpx.get(f"{platform.url}/users/{user_id}/roles", headers=platform.headers(), timeout=60).json()["items"]
    [viewer] = [grant for grant in grants if grant["role"] == "viewer"]
    assert datetime.fromisoformat(viewer["expires_at"]).timestamp() == until.timestamp()  # her local time, as UTC
    console.assert_accessible("a user with a role granted")
    console.screenshot("admin-05-user-granted")

    granted.get_by_role("button", name="Revoke viewer").click()
    expect(page.get_by_role("button", name="Yes, revoke it")).to_be_focused()  # asked, and answered by keyboard
    page.keyboard.press("Enter")
    expect(granted).to_contain_text("revoked")

    page.get_by_label("Reason (for the audit log)").fill("left the consortium")
    page.get_by_role("button", name="Disable the account").click()
    page.get_by_role("button", name="Yes, disable it").click()
    expect(page.get_by_test_id("account-status")).to_have_text("disabled")
    page.get_by_role("button", name="Enable the account").click()
    page.get_by_role("button", name="Yes, enable it").click()
    expect(page.get_by_test_id("account-status")).to_have_text("active")
    console.assert_accessible("a user, revoked, disabled and enabled")
    console.screenshot("admin-06-user")

    # the audit log, filtered by action; the registry's records arrive through the bus
    nav(console).get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    for action in ("role_granted", "role_revoked", "account_disabled", "account_enabled"):
        page.get_by_label("Action", exact=True).select_option(action)
        page.get_by_role("button", name="Apply filters").click()
        entry = page.locator(f"tr[data-action={action}]", has_text=user_id)
        expect(entry).to_have_count(1)
        expect(entry).to_contain_text(ADMIN_EMAIL)
        expect(page.locator(f"table.audit tbody tr:not([data-action={action}])")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"#/admin/audit\?action=account_enabled$"))
    page.get_by_label("Domain", exact=True).select_option("registry")
    page.get_by_label("Action", exact=True).select_option("panels_synced")
    eventually(lambda: audit_shows(console, "panels_synced"), AUDIT_TIMEOUT_S, "the panel sync in the audit log")
    expect(page.locator("tr[data-action=panels_synced]").first).to_contain_text(PANEL_SLUG)
    console.assert_accessible("the audit log, filtered")
    console.screenshot("admin-07-audit")
    page.get_by_label("Since", exact=True).fill((datetime.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("No recorded action matches these filters.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"&since=\d{4}-\d\d-\d\dT\d\d(%3A|:)\d\d$"))
    assert console.failed_requests == [f"POST {console.url}/users/{user_id}/roles: 422"]
    assert [error for error in console.console_errors if "422" not in error] == []


def audit_shows(console: WatchedPage, action: str) -> bool | None:
    """Apply the filters once; whether the log then shows an entry of this action."""
    with console.page.expect_response(lambda answer: "/audit-log" in answer.url) as answered:
        console.page.get_by_role("button", name="Apply filters").click()
    assert answered.value.status == 200
    try:  # the answer is drawn a moment after it arrives
        expect(console.page.locator(f"tr[data-action={action}]").first).to_be_visible(timeout=2000)
    except AssertionError:
        return None
    return True


def test_a_researcher_sees_no_admin_pages_and_reads_the_apis_refusal(
    console: WatchedPage, platform: RunningPlatform
) -> None:
    page = console.page
    sign_in(console, confirmed_researcher(platform, "lise.admin-walk@example.org"))
    expect(nav(console).get_by_role("link", name="Services")).to_be_visible()
    expect(nav(console).get_by_role("link", name="Users")).to_have_count(0)
    expect(nav(console).get_by_role("link", name="Audit log")).to_have_count(0)
    with page.expect_response(lambda answer: answer.url.endswith("/users?limit=25&offset=0")) as refused:
        console.open("admin/users")
    assert refused.value.status == 403
    expect(page.get_by_role("alert")).to_contain_text(refused.value.json()["detail"])
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()  # refused, still signed in
    console.assert_accessible("users, refused to a researcher")
    console.screenshot("admin-08-researcher-refused")
    assert console.failed_requests == [f"GET {console.url}/users?limit=25&offset=0: 403"]

    # a service's page for an id nobody registered: the one problem saying so
    missing = "0b9a8d4e-4c1f-4a57-9a43-3f1c2b7d5e60"
    console.open(f"services/{missing}")
    expect(page.get_by_role("alert")).to_have_text(re.compile(f"Not found: no imputation service with id {missing}"))
    expect(page.get_by_role("heading", name="Health")).to_have_count(0)
    assert {failure.rsplit(": ", 1)[1] for failure in console.failed_requests[1:]} == {"404"}
    assert [error for error in console.console_errors if "403" not in error and "404" not in error] == []

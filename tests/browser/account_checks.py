"""A researcher's account and where her jobs run, in a real Chromium against the local platform: she resets
a forgotten password and signs in with the new one; signs in with her authenticator's code, and with a
password of her own where her account was made with a temporary one; sets two-factor sign-in up on her
Account page and turns it off; makes an API token on her Account
page, uses it from a script, and revokes it; stores, replaces and deletes her token for a service; and
submits a job with `auto` to two Cloudgene servers (the contract fake, on loopback), seeing on the job's
page which one was chosen and why, and the one that refused it; then one job to both, seeing a job on
each. Every page is checked with axe and photographed.

Run by `test_console_in_browser.py` inside a loopback-only network namespace."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

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
from tests.support.cognito import totp
from tests.support.e2e_jobs import register_service, signed_in
from tests.support.job_world import HRC, SAMPLE
from tests.support.platform_process import RunningPlatform, eventually

TOKEN = "account-researcher-cloudgene-token"
SERVICES = ("Account Cloudgene North", "Account Cloudgene South")
NEW_PASSWORD = "Reset-password-2"
GATEWAY_CACHE_SECONDS = 60  # the gateway reuses its decision on a token this long (users' authorizer cache)


@dataclass
class Refusals:
    """Armed, the first job either fake is sent is refused as Cloudgene refuses an app it lacks (404): a
    refusal, after which `auto` fails over to the next service of its ranking."""

    armed: bool = False
    refused_by: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)  # the two fakes' request threads share it


class RefusingCloudgene(CloudgeneFake):
    """The contract fake, refusing one submission when the shared `Refusals` are armed."""

    def __init__(self, tokens: dict[str, str], refusals: Refusals) -> None:
        super().__init__(tokens)
        self.refusals = refusals

    def submit(self, user: str, app: str, form: list[tuple[str, str, bytes | None]]) -> tuple[int, dict[str, Any]]:
        with self.refusals.lock:  # the fake's own lock is held already (it serves one request at a time)
            refuse = self.refusals.armed
            if refuse:
                self.refusals.armed = False
                self.refusals.refused_by.append(self.base_url)
        if refuse:
            return 404, {"message": f"Application '{app}' not found.", "success": False}
        return super().submit(user, app, form)


@dataclass
class World:
    researcher: str
    headers: dict[str, str]
    services: dict[str, str]  # name -> id
    refusals: Refusals


@pytest.fixture(scope="module")
def world(platform: RunningPlatform) -> Iterator[World]:
    """Two Cloudgene servers registered by the admin, each with the HRC panel on hg19 and a user token
    required, found healthy by the sweep; a researcher signed up."""
    refusals = Refusals()
    with RefusingCloudgene({TOKEN: "ada"}, refusals) as north, RefusingCloudgene({TOKEN: "ada"}, refusals) as south:
        admin = platform.headers()
        services: dict[str, str] = {}
        for name, fake in zip(SERVICES, (north, south), strict=True):
            body = {"name": name, "slug": name.lower().replace(" ", "-"), "api_type": "michigan",
                    "base_url": fake.base_url, "requires_user_token": True, "supported_builds": ["hg19"]}  # fmt: skip
            services[name] = register_service(platform, admin, body, within=120)
        email = confirmed_researcher(platform, "ada.account@example.org")
        yield World(email, signed_in(platform, email, PASSWORD), services, refusals)


def signing_in(console: WatchedPage, email: str, password: str) -> None:
    """The sign-in form filled in and sent."""
    console.open("sign-in")
    console.page.get_by_label("Email", exact=True).fill(email)
    console.page.get_by_label("Password", exact=True).fill(password)
    console.page.get_by_role("button", name="Sign in").click()


def test_a_forgotten_password_is_reset_with_the_emailed_code_and_signs_in(
    console: WatchedPage, platform: RunningPlatform
) -> None:
    page = console.page
    email = confirmed_researcher(platform, "marie.reset@example.org")
    console.open("sign-in")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_role("link", name="Forgot password?").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    expect(page.get_by_label("Email", exact=True)).to_have_value(email)
    console.assert_accessible("forgot password")
    console.screenshot("a01-forgot-password")
    with page.expect_response(lambda answer: answer.url.endswith("/auth/forgot-password")) as asked:
        page.get_by_role("button", name="Send the code").click()
    assert asked.value.status == 200

    expect(page.get_by_role("heading", name="Set a new password")).to_be_visible()
    expect(page.get_by_label("Email", exact=True)).to_have_value(email)
    # Cognito mails the code itself; locally moto's Cognito sends none (README: not in /_local/emails) and
    # takes any code, as it does for sign-up's confirmation
    mailbox = httpx.get(f"{platform.url}/_local/emails", timeout=60).json()
    assert [mail for mail in mailbox if email in mail["to"]] == []
    page.get_by_label("Code", exact=True).fill("123456")
    page.get_by_label("New password", exact=True).fill("weak")
    problem = problem_shown(console, "/auth/reset-password", "Set the new password")
    assert [error["location"] for error in problem["errors"]] == ["body.new_password"]
    console.assert_accessible("reset password with a problem")
    console.screenshot("a02-reset-password-problem")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()

    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")
    expect(page.get_by_label("Email", exact=True)).to_have_value(email)
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My files")).to_be_visible()
    old = httpx.post(f"{platform.url}/auth/sign-in", json={"email": email, "password": PASSWORD}, timeout=60)
    assert old.status_code == 401, old.text
    assert console.failed_requests == [f"POST {console.url}/auth/reset-password: 422"]
    assert [error for error in console.console_errors if "422" not in error] == []


def test_sign_in_asks_for_the_authenticator_code_where_the_account_has_one(
    console: WatchedPage, platform: RunningPlatform
) -> None:
    page = console.page
    email = confirmed_researcher(platform, "emmy.mfa@example.org")
    platform.sign_in(email, PASSWORD)  # turns two-factor sign-in on (the secret kept for the test)
    signing_in(console, email, PASSWORD)
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_focused()
    console.assert_accessible("two-factor sign-in")
    console.screenshot("a03-sign-in-mfa")
    page.keyboard.press("Tab")
    page.keyboard.type(totp(platform.totp_secrets[email], time.time()))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="My files")).to_be_visible()
    assert console.console_errors == []
    assert console.failed_requests == []


def test_two_factor_sign_in_is_set_up_on_the_account_page_and_turned_off(
    console: WatchedPage, platform: RunningPlatform
) -> None:
    page = console.page
    email = confirmed_researcher(platform, "sofia.totp@example.org")
    sign_in(console, email)
    console.open("account")
    expect(page.get_by_test_id("mfa-status")).to_contain_text("Off")
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("Code from your authenticator app").fill(totp(secret, time.time()))
    page.get_by_label("Name of the app or device").fill("work phone")
    console.assert_accessible("account, two-factor being set up")
    console.screenshot("a12-two-factor-setup")
    page.get_by_role("button", name="Turn two-factor sign-in on").click()
    expect(page.get_by_test_id("mfa-status")).to_contain_text("On")
    assert secret not in page.content()

    page.get_by_role("button", name="Sign out").click()
    signing_in(console, email, PASSWORD)
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    page.get_by_label("Code from your authenticator app").fill(totp(secret, time.time()))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My files")).to_be_visible()
    console.open("account")
    page.get_by_role("button", name="Turn two-factor sign-in off").click()
    page.get_by_role("button", name="Yes, turn it off").click()
    expect(page.get_by_test_id("mfa-status")).to_contain_text("Off")
    answer = httpx.post(f"{platform.url}/auth/sign-in", json={"email": email, "password": PASSWORD}, timeout=60)
    assert answer.status_code == 200, answer.text  # tokens at once: no code asked
    assert console.console_errors == []
    assert console.failed_requests == []


def test_an_account_made_with_a_temporary_password_sets_its_own_when_signing_in(
    console: WatchedPage, platform: RunningPlatform
) -> None:
    page = console.page
    email, temporary = "lise.invited@example.org", "Temporary-pass-9"
    cognito = platform.cognito()
    [pool] = cognito.list_user_pools(MaxResults=10)["UserPools"]
    cognito.admin_create_user(
        UserPoolId=pool["Id"], Username=email, TemporaryPassword=temporary, MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
    )  # fmt: skip
    signing_in(console, email, temporary)
    expect(page.get_by_role("heading", name="Choose your password")).to_be_focused()
    console.assert_accessible("new password at sign-in")
    console.screenshot("a04-sign-in-new-password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the password and sign in").click()
    expect(page.get_by_role("heading", name="My files")).to_be_visible()
    again = httpx.post(f"{platform.url}/auth/sign-in", json={"email": email, "password": NEW_PASSWORD}, timeout=60)
    assert again.status_code == 200, again.text
    assert console.console_errors == []
    assert console.failed_requests == []


def test_an_api_token_made_in_the_console_works_from_a_script_until_revoked(console: WatchedPage, world: World) -> None:
    page = console.page
    sign_in(console, world.researcher)
    page.get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(page.get_by_text("You have no API tokens yet.")).to_be_visible()
    console.assert_accessible("account, no tokens")
    page.get_by_label("Token name").fill("pipeline")
    page.get_by_role("button", name="Make the token").click()

    secret = page.get_by_role("region", name=re.compile("Your new token"))
    expect(secret).to_contain_text("it is not shown again")
    token = page.get_by_test_id("new-api-token").inner_text()
    console.page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=console.url)
    secret.get_by_role("button", name="Copy the token").click()
    expect(secret.get_by_role("status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("() => navigator.clipboard.readText()") == token
    console.assert_accessible("account, a new token")
    console.screenshot("a05-api-token-made")

    scripted = {"Authorization": f"Bearer {token}"}
    me = httpx.get(f"{console.url}/me", headers=scripted, timeout=60)
    assert (me.status_code, me.json()["email"]) == (200, world.researcher)

    secret.get_by_role("button", name="I have copied it").click()
    row = page.get_by_role("row", name=re.compile("pipeline"))
    expect(row).to_contain_text("active")
    expect(row).to_contain_text(token[:6])
    page.reload()  # the list never holds the secret
    expect(page.get_by_role("row", name=re.compile("pipeline"))).to_be_visible()
    assert token not in page.content()
    page.get_by_role("button", name="Revoke pipeline").click()
    page.get_by_role("group", name="Revoke pipeline").get_by_role("button", name="Yes, revoke it").click()
    expect(page.get_by_role("row", name=re.compile("pipeline"))).to_contain_text("revoked")
    console.assert_accessible("account, a token revoked")
    console.screenshot("a06-api-token-revoked")

    # the gateway refuses it (403, as API Gateway answers an authorizer's "no") once its decision on the
    # token, made by the call above, is no longer reused
    def refused() -> int | None:
        status = httpx.get(f"{console.url}/me", headers=scripted, timeout=60).status_code
        return status if status != 200 else None

    assert eventually(refused, GATEWAY_CACHE_SECONDS + 60, "the revoked token refused", interval=2.0) == 403
    assert console.console_errors == []
    assert console.failed_requests == []


def test_a_service_token_is_stored_replaced_and_deleted_and_never_shown(console: WatchedPage, world: World) -> None:
    page = console.page
    north = SERVICES[0]
    sign_in(console, world.researcher)
    console.open("account")
    item = page.locator("li.service-token", has=page.get_by_role("heading", name=north))
    expect(item).to_contain_text("No token stored.")
    item.get_by_label(f"Token for {north}").fill("first-token-for-north")
    item.get_by_role("button", name=f"Store the token for {north}").click()
    expect(item).to_contain_text("A token is stored")
    stored = httpx.get(f"{console.url}/me/credentials", headers=world.headers, timeout=60).json()["items"]
    assert [entry["service_id"] for entry in stored] == [world.services[north]]
    item.get_by_label(f"New token for {north}").fill(TOKEN)
    item.get_by_role("button", name=f"Replace the token for {north}").click()
    expect(item.get_by_label(f"New token for {north}")).to_have_value("")
    assert "first-token-for-north" not in page.content()
    assert TOKEN not in page.content()
    console.assert_accessible("account, a service token stored")
    console.screenshot("a07-service-token-stored")

    item.get_by_role("button", name=f"Delete the token for {north}").click()
    item.get_by_role("button", name="Yes, delete it").click()
    expect(item).to_contain_text("No token stored.")
    assert httpx.get(f"{console.url}/me/credentials", headers=world.headers, timeout=60).json()["items"] == []
    assert console.console_errors == []
    assert console.failed_requests == []


def store_tokens(console: WatchedPage, world: World) -> None:
    """Her token for both servers, stored through the API."""
    for service_id in world.services.values():
        url = f"{console.url}/me/credentials/{service_id}"
        stored = httpx.put(url, json={"token": TOKEN}, headers=world.headers, timeout=60)
        assert stored.status_code in (200, 201), stored.text


def a_new_job(console: WatchedPage, name: str, where: str) -> None:
    """A valid file, then "New job" filled in with it, `where` chosen (the services picked after)."""
    page = console.page
    console.open("files")
    console.drop_files("[data-testid=dropzone]", [SAMPLE])
    expect(file_row(console, SAMPLE.name, "valid").first).to_be_visible(timeout=VALIDATION_TIMEOUT_MS)
    console.open("jobs/new")
    page.get_by_label("Job name").fill(name)
    page.get_by_role("checkbox", name=re.compile(re.escape(SAMPLE.name))).first.check()
    page.get_by_role("radio", name=re.compile(f"^{where}")).check()


def the_job(console: WatchedPage, world: World, name: str) -> dict[str, Any]:
    expect(console.page.get_by_role("heading", name=f"Job {name}")).to_be_visible()
    job_id = console.page.url.rsplit("/", 1)[-1]
    return dict(httpx.get(f"{console.url}/jobs/{job_id}", headers=world.headers, timeout=60).json())


def test_auto_picks_a_service_and_the_jobs_page_says_why_and_which_refused(console: WatchedPage, world: World) -> None:
    page = console.page
    store_tokens(console, world)
    sign_in(console, world.researcher)
    a_new_job(console, "Anywhere", "Automatic")
    expect(page.get_by_label("Reference panel")).to_be_visible()
    expect(page.get_by_text("at least one service offers")).to_be_visible()  # the rule the API applies
    page.get_by_label("Reference panel").select_option(HRC["slug"])
    expect(page.get_by_label("Reference panel")).to_contain_text("(2 of 2 services)")
    console.assert_accessible("new job, automatic")
    console.screenshot("a08-new-job-auto")
    world.refusals.armed = True  # the first service chosen refuses the job: auto moves it to the next
    page.get_by_role("button", name="Submit job").click()

    job = the_job(console, world, "Anywhere")
    first = job["routing"]["ranking"][0]
    routing = page.get_by_role("region", name="Routing")
    ranked = routing.get_by_role("row")
    expect(ranked).to_have_count(3)  # the header and the two servers
    for entry in job["routing"]["ranking"]:
        row = routing.get_by_role("row", name=re.compile(entry["name"]))
        expect(row).to_contain_text(f"{entry['score']:.1f}")
        for reason in entry["reasons"]:
            expect(row).to_contain_text(reason)
    # the refusal comes back from the submission, and the page, asking again, shows the failover
    refusal = routing.get_by_role("row", name=re.compile(first["name"]))
    expect(refusal).to_contain_text("refused the job", timeout=120_000)
    expect(routing.get_by_role("listitem").filter(has_text="refused the job")).to_contain_text(first["name"])
    other = next(name for name in SERVICES if name != first["name"])
    expect(routing.get_by_role("row", name=re.compile(other))).to_contain_text("chosen: the job runs here")
    expect(page.locator(".facts")).to_contain_text(f"{other} (chosen automatically: see Routing)")
    shown = httpx.get(f"{console.url}/jobs/{job['id']}", headers=world.headers, timeout=60).json()
    assert (shown["service"]["name"], len(shown["routing"]["attempts"])) == (other, 1)
    assert len(world.refusals.refused_by) == 1
    console.assert_accessible("a job routed automatically")
    console.screenshot("a09-job-routing")
    assert console.console_errors == []
    assert console.failed_requests == []


def test_a_job_sent_to_several_services_lists_a_job_on_each(console: WatchedPage, world: World) -> None:
    page = console.page
    store_tokens(console, world)
    sign_in(console, world.researcher)
    a_new_job(console, "Everywhere", "Several services")
    services = page.get_by_role("group", name="Services")
    for name in SERVICES:
        services.get_by_role("checkbox", name=re.compile(re.escape(name))).check()
    expect(page.get_by_text("every chosen service offers")).to_be_visible()
    page.get_by_label("Reference panel").select_option(HRC["slug"])
    console.assert_accessible("new job, several services")
    console.screenshot("a10-new-job-several")
    page.get_by_role("button", name="Submit job").click()

    job = the_job(console, world, "Everywhere")
    children = page.get_by_role("region", name="On each service")
    assert [child["service"]["name"] for child in job["children"]] == list(SERVICES)
    for child in job["children"]:
        link = children.get_by_role("link", name=child["service"]["name"])
        expect(link).to_have_attribute("href", f"#/jobs/{child['id']}")
    console.assert_accessible("a job on several services")
    console.screenshot("a11-job-children")
    children.get_by_role("link", name=SERVICES[1]).click()
    expect(page.get_by_role("heading", name="Job Everywhere")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text(SERVICES[1])
    page.get_by_role("link", name="the whole job").click()
    expect(page.get_by_role("region", name="On each service")).to_be_visible()
    assert console.console_errors == []
    assert console.failed_requests == []

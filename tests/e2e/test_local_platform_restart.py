"""What a user made survives `make run` stopping and starting again on the same state folder, on
moto and on LocalStack: a clean stop (SIGTERM), then a crash (SIGKILL).

Kept: the account and its password, its session and refresh tokens, its pool groups, its API token,
its stored external-service token (the internal `credentials` function decrypts it), the pool and
app client ids, and the bus, rule and queue that carry other domains' audit records."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.platform_process import (
    LOCAL_AWS_KINDS,
    REPO,
    RunningPlatform,
    eventually,
    require_localstack,
    start_platform,
)

pytestmark = pytest.mark.e2e

DEADLINE_SECONDS = 60
IDENTITY_LINE = "  variable    "


@dataclass
class Researcher:
    """What one researcher made before a restart, and what it must still open after it."""

    user_id: str
    email: str
    password: str
    access_token: str
    refresh_token: str
    api_token: str
    service_id: str
    stored_token: str


def make_researcher(platform: RunningPlatform, admin: dict[str, str]) -> Researcher:
    """Sign up, confirm, sign in, make an API token, store a token, and be granted a role (a group)."""
    email, password = f"r-{uuid.uuid4().hex[:8]}@example.org", "Researcher-pass-1"
    signed_up = httpx.post(f"{platform.url}/auth/sign-up", json={"email": email, "password": password, "name": "Ama"})
    assert signed_up.status_code == 202, signed_up.text
    confirmed = httpx.post(f"{platform.url}/auth/confirm", json={"email": email, "code": "123456"})
    assert confirmed.status_code == 200, confirmed.text
    tokens = httpx.post(f"{platform.url}/auth/sign-in", json={"email": email, "password": password}).json()
    session = {"Authorization": f"Bearer {tokens['access_token']}"}
    user_id = httpx.get(f"{platform.url}/me", headers=session).json()["id"]
    api_token = httpx.post(f"{platform.url}/me/api-tokens", json={"name": "pipeline"}, headers=session).json()["token"]
    service_id, stored_token = str(uuid.uuid4()), f"michigan-{uuid.uuid4().hex}"
    stored = httpx.put(f"{platform.url}/me/credentials/{service_id}", json={"token": stored_token}, headers=session)
    assert stored.status_code in (200, 201), stored.text
    granted = httpx.post(f"{platform.url}/users/{user_id}/roles", json={"role": "viewer"}, headers=admin)
    assert granted.status_code == 201, granted.text
    return Researcher(
        user_id, email, password, tokens["access_token"], tokens["refresh_token"], api_token, service_id, stored_token
    )


def check_researcher(platform: RunningPlatform, state: Path, researcher: Researcher) -> None:
    """Everything the researcher made before the restart still works."""
    signed_in = httpx.post(
        f"{platform.url}/auth/sign-in", json={"email": researcher.email, "password": researcher.password}
    )
    assert signed_in.status_code == 200, signed_in.text
    for token in (signed_in.json()["access_token"], researcher.access_token, researcher.api_token):
        me = httpx.get(f"{platform.url}/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200, me.text
        assert me.json()["id"] == researcher.user_id
        assert sorted(grant["role"] for grant in me.json()["roles"]) == ["researcher", "viewer"]
    refreshed = httpx.post(f"{platform.url}/auth/refresh", json={"refresh_token": researcher.refresh_token})
    assert refreshed.status_code == 200, refreshed.text
    cognito = platform.cognito()
    groups = cognito.admin_list_groups_for_user(
        UserPoolId=identity(platform)["USERS_USER_POOL_ID"], Username=researcher.email
    )
    assert {group["GroupName"] for group in groups["Groups"]} >= {"researcher", "viewer"}
    assert reveal(platform, state, researcher.user_id, researcher.service_id) == {"token": researcher.stored_token}


def identity(platform: RunningPlatform) -> dict[str, str]:
    """The resource variables the platform printed at start (pool and client ids, the key's alias)."""
    lines = [line for line in platform.output_text().splitlines() if line.startswith(IDENTITY_LINE)]
    return dict(line.removeprefix(IDENTITY_LINE).split("=", 1) for line in lines)


def reveal(platform: RunningPlatform, state: Path, user_id: str, service_id: str) -> Any:
    """Call the users domain's internal `credentials` function as the jobs domain would, in a
    process of its own configured as the platform configures it."""
    environment = {
        **os.environ,
        **identity(platform),
        "AWS_ENDPOINT_URL": platform.aws_endpoint,
        "USERS_DATABASE_URL": f"sqlite:///{state / 'users.db'}",
    }
    script = (
        "import json, sys\n"
        "from local_platform.events import lambda_context\n"
        "from users.handlers.credentials import handler\n"
        "print(json.dumps(handler(json.loads(sys.argv[1]), lambda_context('users-credentials'))))\n"
    )
    event = json.dumps({"user_id": user_id, "service_id": service_id})
    answer = subprocess.run(
        [sys.executable, "-c", script, event], cwd=REPO, env=environment, capture_output=True, text=True, check=False
    )
    assert answer.returncode == 0, answer.stderr
    return json.loads(answer.stdout.strip().splitlines()[-1])


def gone(pid: int) -> bool | None:
    """True once a process has exited (and been reaped), else None."""
    return not Path(f"/proc/{pid}").exists() or None


def sign_in_admin(platform: RunningPlatform, totp_secrets: dict[str, str]) -> dict[str, str]:
    """The admin signed in with their second factor, turned on before the first restart and kept
    across restarts, as the authenticator app keeps its secret."""
    platform.totp_secrets.update(totp_secrets)
    headers = platform.headers()
    totp_secrets.update(platform.totp_secrets)
    return headers


def check_audit_records_flow(platform: RunningPlatform, admin: dict[str, str]) -> None:
    """A registry action reaches the users domain's audit log: outbox, bus, rule, queue, poller."""
    slug = f"s-{uuid.uuid4().hex[:8]}"
    created = httpx.post(
        f"{platform.url}/services",
        json={"name": slug, "slug": slug, "api_type": "michigan", "base_url": "http://127.0.0.1:9"},
        headers=admin,
    )
    assert created.status_code == 201, created.text

    def recorded() -> bool | None:
        log = httpx.get(f"{platform.url}/audit-log", params={"limit": 100}, headers=admin).json()
        return any(e["domain"] == "registry" and e["target_id"] == created.json()["id"] for e in log["items"]) or None

    eventually(recorded, DEADLINE_SECONDS, "the registry's audit record reaching the users domain")


@pytest.mark.parametrize("local_aws", LOCAL_AWS_KINDS)
def test_a_restart_and_a_crash_keep_accounts_tokens_and_stored_tokens(local_aws: str, tmp_path: Path) -> None:
    if local_aws == "localstack":
        require_localstack()
    state = tmp_path / "state"
    totp_secrets: dict[str, str] = {}
    first = start_platform(state, local_aws, output_name="first.out")
    try:
        before = make_researcher(first, sign_in_admin(first, totp_secrets))
        ids = identity(first)
    finally:
        first.stop()

    second = start_platform(state, local_aws, output_name="second.out")
    try:
        assert "restored from" in second.output_text()
        assert identity(second) == ids | {"USERS_JWKS_URL": identity(second)["USERS_JWKS_URL"]}
        check_researcher(second, state, before)
        admin = sign_in_admin(second, totp_secrets)
        check_audit_records_flow(second, admin)
        after_restart = make_researcher(second, admin)
        started = second.children()
    finally:
        second.kill()
    # LocalStack, left behind by the crash, notices and stops by itself
    for pid in started:
        eventually(partial(gone, pid), DEADLINE_SECONDS, f"process {pid} (LocalStack) stopping")

    third = start_platform(state, local_aws, output_name="third.out")
    try:
        assert identity(third) == ids | {"USERS_JWKS_URL": identity(third)["USERS_JWKS_URL"]}
        for researcher in (before, after_restart):
            check_researcher(third, state, researcher)
        check_audit_records_flow(third, sign_in_admin(third, totp_secrets))
    finally:
        third.stop()

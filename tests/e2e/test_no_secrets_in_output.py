"""No secret reaches the logs: every route that takes or answers one (sign-up, sign-in, refresh,
password changes and resets, API token creation, storing an external token) is called over HTTP on a
platform logging at DEBUG, the most verbose level, and the internal credentials function decrypts the
stored token in-process at DEBUG too; none of the secrets appears in anything either printed."""

from __future__ import annotations

import io
import logging
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fip_core.container import forget_container
from local_platform.events import lambda_context
from tests.support.platform_process import ADMIN_PASSWORD, RunningPlatform, running_platform

pytestmark = pytest.mark.e2e

PASSWORD = "First-password-123"
CHANGED = "Second-password-456"
RESET = "Third-password-789"
EXTERNAL_TOKEN = f"michigan-{uuid.uuid4().hex}-token"


@pytest.fixture(scope="module")
def verbose(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    """The platform with every handler logging at DEBUG."""
    with running_platform(tmp_path_factory.mktemp("verbose"), {"POWERTOOLS_LOG_LEVEL": "DEBUG"}) as running:
        yield running


def post(platform: RunningPlatform, path: str, body: dict[str, object], token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(f"{platform.url}{path}", json=body, headers=headers, timeout=30)


def reveal_in_process(platform: RunningPlatform, user_id: str, service_id: str, lines: io.StringIO, monkeypatch) -> str:
    """Invoke the internal credentials function against the running platform's moto and database."""
    printed = platform.output_text()
    identity = dict(re.findall(r"variable\s+(\w+)=(\S+)", printed))
    users_db = re.search(r"database\s+users: (\S+)", printed)
    assert identity, printed
    assert users_db, printed
    for key, value in {**identity, "USERS_DATABASE_URL": f"sqlite:///{users_db.group(1)}"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", platform.aws_endpoint)
    forget_container()
    from users.handlers import credentials
    from users.settings import DOMAIN

    # the function's own log lines, formatted as in Lambda, wherever an earlier test left its stream
    handler = logging.StreamHandler(lines)
    handler.setFormatter(credentials.obs.logger.registered_formatter)
    logging.getLogger(DOMAIN).addHandler(handler)  # the logger Powertools writes through
    credentials.obs.logger.setLevel("DEBUG")
    try:
        answer = credentials.handler({"user_id": user_id, "service_id": service_id}, lambda_context())
    finally:
        credentials.obs.logger.setLevel("WARNING")
        logging.getLogger(DOMAIN).removeHandler(handler)
        forget_container()
    return str(answer["token"])


def test_no_secret_of_any_route_appears_in_the_output(verbose, capfd, monkeypatch, tmp_path: Path):
    email = f"secretive-{uuid.uuid4().hex[:6]}@example.org"
    assert post(verbose, "/auth/sign-up", {"email": email, "password": PASSWORD, "name": "S"}).status_code == 202
    assert post(verbose, "/auth/confirm", {"email": email, "code": "123456"}).status_code == 200
    assert post(verbose, "/auth/sign-in", {"email": email, "password": "Wrong-password-000"}).status_code in (401, 403)
    signed_in = post(verbose, "/auth/sign-in", {"email": email, "password": PASSWORD}).json()
    refreshed = post(verbose, "/auth/refresh", {"refresh_token": signed_in["refresh_token"]}).json()
    access = refreshed["access_token"]
    created = post(verbose, "/me/api-tokens", {"name": "pipeline"}, access)
    assert created.status_code == 201, created.text
    api_token = created.json()["token"]
    service_id = str(uuid.uuid4())
    stored = httpx.put(
        f"{verbose.url}/me/credentials/{service_id}",
        json={"token": EXTERNAL_TOKEN},
        headers={"Authorization": f"Bearer {api_token}"},
    )
    assert stored.status_code == 200, stored.text
    me = httpx.get(f"{verbose.url}/me", headers={"Authorization": f"Bearer {access}"}).json()
    # a new password ends every session and API token: asked for last
    changed = post(verbose, "/auth/change-password", {"current_password": PASSWORD, "new_password": CHANGED}, access)
    assert changed.status_code == 200, changed.text
    assert post(verbose, "/auth/forgot-password", {"email": email}).status_code == 200
    reset = post(verbose, "/auth/reset-password", {"email": email, "code": "123456", "new_password": RESET})
    assert reset.status_code == 200, reset.text
    assert post(verbose, "/auth/sign-in", {"email": email, "password": RESET}).status_code == 200
    capfd.readouterr()
    logged = io.StringIO()
    assert reveal_in_process(verbose, me["id"], service_id, logged, monkeypatch) == EXTERNAL_TOKEN
    in_process = capfd.readouterr()
    printed = verbose.output_text() + in_process.out + in_process.err + logged.getvalue()
    # the output is there to search: the requests and the handlers' debug lines were printed
    assert "POST /me/api-tokens -> 201" in printed
    assert '"message":"request refused"' in printed, "the handlers' own lines, the wrong password's among them"
    assert "credential revealed" in logged.getvalue()
    secrets = {
        "password": PASSWORD,
        "changed password": CHANGED,
        "reset password": RESET,
        "admin password": ADMIN_PASSWORD,
        "access token": signed_in["access_token"],
        "id token": signed_in["id_token"],
        "refresh token": signed_in["refresh_token"],
        "refreshed access token": access,
        "API token": api_token,
        "API token secret": api_token.rsplit("_", 1)[-1],
        "external token": EXTERNAL_TOKEN,
    }
    for name, secret in secrets.items():
        assert secret not in printed, f"the {name} was printed"
        # a JWT's signature alone would do as much harm
        assert secret.rsplit(".", 1)[-1] not in printed, f"part of the {name} was printed"

"""`python -m local_platform` as a user runs it, talked to over HTTP: the gateway, the docs, the
schedules firing the health sweep against a real (tiny) Cloudgene server, and events on the bus."""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from tests.support.platform_process import (
    LOCAL_AWS_KINDS,
    RunningPlatform,
    eventually,
    require_localstack,
    start_platform,
)
from tests.support.simulated_services import CLOUDGENE_SERVER

pytestmark = pytest.mark.e2e

SWEEP_DEADLINE_SECONDS = 30


@pytest.fixture(scope="module", params=LOCAL_AWS_KINDS)
def platform(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    """The platform in a subprocess on free ports, with a fresh state folder and a 1 s schedule, on
    moto and then on LocalStack (Cognito on moto)."""
    if request.param == "localstack":
        require_localstack()
    running = start_platform(tmp_path_factory.mktemp("state"), request.param)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def admin(platform: RunningPlatform) -> dict[str, str]:
    """Headers of the admin the platform created at start, signed in over HTTP as README's "Trying it"
    says: the admin role waits for two-factor sign-in, so they turn it on and sign in again with a code."""
    return platform.headers()


@pytest.fixture(scope="module")
def cloudgene() -> Iterator[str]:
    """A tiny real Cloudgene server on loopback; its base URL."""

    class CloudgeneHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = self.path == "/api/v2/server"
            body = json.dumps(CLOUDGENE_SERVER if found else {"message": "not found"}).encode()
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), CloudgeneHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_startup_says_where_everything_is(platform: RunningPlatform) -> None:
    printed = platform.output_text()
    assert f"API         {platform.url}" in printed
    assert f"{platform.url}/docs" in printed
    assert platform.aws_endpoint in printed
    assert "registry.db (migrated to revision" in printed
    assert "registry-health-sweep" in printed


def test_lists_services_for_the_signed_in_only(platform: RunningPlatform, admin: dict[str, str]) -> None:
    assert httpx.get(f"{platform.url}/services").status_code == 401
    assert httpx.get(f"{platform.url}/services", headers={"Authorization": "Bearer forged"}).status_code == 403
    answer = httpx.get(f"{platform.url}/services", headers=admin)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert isinstance(answer.json()["items"], list)


def test_serves_swagger_ui_offline(platform: RunningPlatform) -> None:
    page = httpx.get(f"{platform.url}/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "swagger" in page.text.lower()
    assert "/openapi.json" in page.text
    assets = re.findall(r'(?:src|href)="(/docs/static/[^"]+)"', page.text)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    assert any(asset.endswith("swagger-ui.css") for asset in assets)
    for asset in assets:
        answer = httpx.get(f"{platform.url}{asset}")
        assert answer.status_code == 200, asset
        assert len(answer.content) > 100, asset
    script = httpx.get(f"{platform.url}/docs/static/swagger-ui-bundle.js")
    assert script.headers["content-type"].startswith("application/javascript")


def test_openapi_document_merges_the_domains(platform: RunningPlatform) -> None:
    document = httpx.get(f"{platform.url}/openapi.json").json()
    assert document["info"]["title"] == "Federated Imputation Platform API"
    assert "get" in document["paths"]["/services"]
    assert "post" in document["paths"]["/services"]
    assert "/services/{service_id}/health" in document["paths"]


def test_unknown_route_is_404_problem(platform: RunningPlatform) -> None:
    answer = httpx.get(f"{platform.url}/no/such/thing")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json() == {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": "no route GET /no/such/thing; the API is described at /openapi.json",
    }


def test_wrong_method_is_405_with_allow(platform: RunningPlatform) -> None:
    answer = httpx.put(f"{platform.url}/services", json={})
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, POST"
    assert answer.json()["status"] == 405


def test_malformed_json_is_422_problem(platform: RunningPlatform, admin: dict[str, str]) -> None:
    answer = httpx.post(
        f"{platform.url}/services", content=b'{"name": "Sim",', headers={"Content-Type": "application/json", **admin}
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == 422
    assert any(error["type"] == "json_invalid" for error in problem["errors"])


def test_body_over_the_limit_is_413(platform: RunningPlatform) -> None:
    port = int(platform.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        # the size is declared and never sent: the gateway must answer from the header alone
        connection.sendall(
            b"POST /services HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Content-Length: 10485761\r\n\r\n{"
        )
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    assert json.loads(body)["status"] == 413


def test_sweep_marks_a_registered_service_healthy_and_publishes_the_change(
    platform: RunningPlatform, cloudgene: str, admin: dict[str, str]
) -> None:
    events, sqs = platform.aws("events"), platform.aws("sqs")
    queue_url = sqs.create_queue(QueueName="e2e-health-changes")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    pattern = {"source": ["fip.registry"], "detail-type": ["ServiceHealthChanged"]}
    events.put_rule(Name="e2e-health-changes", EventBusName="fip-events", EventPattern=json.dumps(pattern))
    events.put_targets(Rule="e2e-health-changes", EventBusName="fip-events", Targets=[{"Id": "q", "Arn": queue_arn}])

    registered = httpx.post(
        f"{platform.url}/services",
        json={"name": "Sim", "slug": "sim", "api_type": "michigan", "base_url": cloudgene},
        headers=admin,
    )
    assert registered.status_code == 201, registered.text
    service_id = registered.json()["id"]

    def healthy() -> dict[str, Any] | None:
        report = httpx.get(f"{platform.url}/services/{service_id}/health", headers=admin).json()
        return report if report["health"]["status"] == "healthy" else None

    report = eventually(healthy, SWEEP_DEADLINE_SECONDS, "the scheduled sweep finding the service healthy")
    assert report["health"]["consecutive_failures"] == 0
    # the sweep's line is printed when its handler returns, a moment after the status is committed
    eventually(
        lambda: "[schedule] registry-health-sweep" in platform.output_text() or None,
        SWEEP_DEADLINE_SECONDS,
        "the local timer's sweep showing in the output",
    )

    def health_changed() -> dict[str, Any] | None:
        messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages", [])
        for message in messages:
            event = json.loads(message["Body"])
            if event["detail"]["data"]["service_id"] == service_id:
                return dict(event)
        return None

    event = eventually(health_changed, SWEEP_DEADLINE_SECONDS, "a ServiceHealthChanged event on the bus", 0)
    assert event["source"] == "fip.registry"
    assert event["detail-type"] == "ServiceHealthChanged"
    assert event["detail"]["data"]["previous_status"] == "unknown"
    assert event["detail"]["data"]["status"] == "healthy"

    # the monitoring domain, subscribed on the same bus, counts the check in the service's hour
    def monitored() -> dict[str, Any] | None:
        answer = httpx.get(f"{platform.url}/dashboard/services", headers=admin)
        assert answer.status_code == 200, answer.text
        views = [view for view in answer.json()["services"] if view["service_id"] == service_id]
        return views[0] if views and views[0]["name"] == "Sim" else None

    view = eventually(monitored, SWEEP_DEADLINE_SECONDS, "the service on the monitoring dashboard")
    assert view["status"] == "healthy"
    assert view["uptime"]["last_24h"] == 100.0
    assert sum(point["checks"] for point in view["series"]) >= 1


def test_a_researcher_signs_up_confirms_signs_in_and_scripts_with_an_api_token(platform: RunningPlatform) -> None:
    account = {"email": "researcher@example.org", "password": "Researcher-pass-1"}
    signed_up = httpx.post(f"{platform.url}/auth/sign-up", json={**account, "name": "Ama", "country": "GH"})
    assert signed_up.status_code == 202, signed_up.text
    again = httpx.post(f"{platform.url}/auth/sign-up", json={**account, "name": "Ama", "country": "GH"})
    assert (again.status_code, again.json()) == (202, signed_up.json())  # a taken email reads the same
    refused = httpx.post(f"{platform.url}/auth/sign-in", json=account)
    assert refused.status_code == 403  # not confirmed yet
    confirmed = httpx.post(f"{platform.url}/auth/confirm", json={"email": account["email"], "code": "123456"})
    assert confirmed.status_code == 200, confirmed.text
    tokens = httpx.post(f"{platform.url}/auth/sign-in", json=account).json()
    session = {"Authorization": f"Bearer {tokens['access_token']}"}
    me = httpx.get(f"{platform.url}/me", headers=session).json()
    assert (me["email"], me["country"], [r["role"] for r in me["roles"]]) == (account["email"], "GH", ["researcher"])
    assert httpx.get(f"{platform.url}/services", headers=session).status_code == 200
    assert httpx.post(f"{platform.url}/services", json={}, headers=session).status_code == 403
    created = httpx.post(f"{platform.url}/me/api-tokens", json={"name": "pipeline"}, headers=session).json()
    scripted = {"Authorization": f"Bearer {created['token']}"}
    assert httpx.get(f"{platform.url}/me", headers=scripted).json()["id"] == me["id"]


def test_an_admin_disables_an_account_and_its_api_token_is_refused(
    platform: RunningPlatform, admin: dict[str, str]
) -> None:
    account = {"email": "leaving@example.org", "password": "Leaving-pass-12"}
    httpx.post(f"{platform.url}/auth/sign-up", json=account)
    httpx.post(f"{platform.url}/auth/confirm", json={"email": account["email"], "code": "123456"})
    session = {
        "Authorization": f"Bearer {httpx.post(f'{platform.url}/auth/sign-in', json=account).json()['access_token']}"
    }
    user_id = httpx.get(f"{platform.url}/me", headers=session).json()["id"]
    token = httpx.post(f"{platform.url}/me/api-tokens", json={"name": "unused"}, headers=session).json()["token"]
    disabled = httpx.put(f"{platform.url}/users/{user_id}/status", json={"status": "disabled"}, headers=admin)
    assert (disabled.status_code, disabled.json()["status"]) == (200, "disabled"), disabled.text
    # a token the gateway has not decided on yet is refused at once; a decided one within the cache time
    assert httpx.get(f"{platform.url}/me", headers={"Authorization": f"Bearer {token}"}).status_code == 403
    assert httpx.post(f"{platform.url}/auth/sign-in", json=account).status_code == 401

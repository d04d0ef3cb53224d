"""A health check of a real WES server: sapporo-service, with and without the spec's URL prefix."""

import pytest

from tests.support.api import invoke_api
from tests.support.sapporo import SapporoServer

pytestmark = [pytest.mark.sapporo, pytest.mark.usefixtures("registry_db", "event_bus", "outbound_to_loopback")]


@pytest.fixture(scope="module", params=["", "/ga4gh/wes/v1"], ids=["no-prefix", "spec-prefix"])
def sapporo(request, sapporo_bin):
    server = SapporoServer(sapporo_bin, url_prefix=request.param)
    server.start()
    yield server
    server.stop()


def test_a_sapporo_node_is_recorded_healthy(sapporo):
    root = sapporo.base_url.removesuffix("/ga4gh/wes/v1")  # admins often enter the bare host
    body = {"name": "sapporo", "slug": "sapporo", "api_type": "ga4gh_wes", "base_url": root}
    service_id = invoke_api("POST", "/services", body=body).body["id"]
    report = invoke_api("POST", f"/services/{service_id}/health-check").body
    assert report["health"]["status"] == "healthy", report
    assert report["health"]["response_time_ms"] > 0
    history = invoke_api("GET", f"/services/{service_id}/health/history").body["items"]
    assert history[0]["checked_url"] == f"{sapporo.base_url}/service-info"
    listed = invoke_api("GET", "/ga4gh/registry/v1/services").body
    assert listed[0]["url"] == sapporo.base_url
    assert listed[0]["version"] == "2.4.0"


def test_test_connection_shows_sapporo_service_info(sapporo):
    answer = invoke_api(
        "POST", "/services/test-connection", body={"base_url": sapporo.base_url, "api_type": "ga4gh_wes"}
    )
    details = answer.body["details"]
    assert answer.body["status"] == "healthy"
    assert details["supported_wes_versions"] == ["sapporo-wes-2.1.0"]
    assert "CWL" in details["workflow_type_versions"]
    assert "RUNNING" in details["system_state_counts"]

"""Checking a service now, testing a connection before saving, history, uptime and the overview."""

from datetime import UTC, datetime, timedelta

import pytest

from local_platform.aws import free_port
from registry.dal.unit_of_work import registry_repository
from registry.domain import CheckResult, HealthState
from registry.models.common import HealthStatus
from registry.models.health import ProbeOutcome
from tests.support.api import invoke_api

HEALTH_CHANGED = "ServiceHealthChanged"
pytestmark = pytest.mark.usefixtures("registry_db", "event_bus", "outbound_to_loopback")


def register(slug, base_url, api_type="michigan"):
    body = {"name": slug.title(), "slug": slug, "api_type": api_type, "base_url": base_url}
    return invoke_api("POST", "/services", body=body).body["id"]


def test_a_check_asked_for_by_hand_is_recorded_and_reported(simulated, event_bus):
    service_id = register("michigan", simulated.url("cloudgene", 20))
    answer = invoke_api("POST", f"/services/{service_id}/health-check")
    assert answer.status == 200, answer.body
    assert answer.body["health"]["status"] == "healthy"
    assert answer.body["uptime"] == {"last_24h": 100.0, "last_7d": 100.0, "last_30d": 100.0}
    assert [e["detail"]["data"]["status"] for e in event_bus.captured_events(HEALTH_CHANGED)] == ["healthy"]
    history = invoke_api("GET", f"/services/{service_id}/health/history").body["items"]
    assert history[0]["status"] == "healthy"
    assert history[0]["checked_url"].endswith("/api/v2/server")


def test_test_connection_reports_what_a_cloudgene_server_says(simulated):
    answer = invoke_api(
        "POST", "/services/test-connection", body={"base_url": simulated.url("cloudgene", 21), "api_type": "michigan"}
    )
    assert answer.status == 200, answer.body
    assert answer.body["status"] == "healthy"
    details = answer.body["details"]
    assert details == {
        "api_type": "michigan",
        "name": "Simulated Imputation Server",
        "maintenance": False,
        "queue_size": 7,
    }
    assert invoke_api("GET", "/services").body["total"] == 0  # nothing stored


def test_test_connection_reports_wes_service_info(simulated):
    answer = invoke_api(
        "POST", "/services/test-connection", body={"base_url": simulated.url("wes", 22), "api_type": "ga4gh_wes"}
    )
    details = answer.body["details"]
    assert answer.body["status"] == "healthy"
    assert details["supported_wes_versions"] == ["1.0.0", "1.1.0"]
    assert details["system_state_counts"] == {"RUNNING": 2, "QUEUED": 1}
    assert details["auth_instructions_url"] == "https://example.org/auth"
    assert details["api_url"] == simulated.url("wes", 22) + "/ga4gh/wes/v1"


def test_test_connection_says_exactly_what_failed():
    port = free_port()
    answer = invoke_api(
        "POST", "/services/test-connection", body={"base_url": f"http://127.0.0.1:{port}", "api_type": "ga4gh_wes"}
    )
    assert answer.status == 200
    assert answer.body["status"] == "unhealthy"
    assert answer.body["error"] == "refused"
    assert answer.body["checked_url"] == f"http://127.0.0.1:{port}/ga4gh/wes/v1/service-info"
    assert answer.body["http_status"] is None


def test_uptime_counts_checks_in_each_window(simulated):
    service_id = register("uptime", simulated.url("cloudgene", 23))
    now = datetime.now(UTC)
    checks = [
        (now - timedelta(hours=2), HealthStatus.HEALTHY),
        (now - timedelta(hours=3), HealthStatus.UNHEALTHY),
        (now - timedelta(days=3), HealthStatus.UNHEALTHY),
        (now - timedelta(days=20), HealthStatus.HEALTHY),
        (now - timedelta(days=40), HealthStatus.UNHEALTHY),
    ]
    with registry_repository() as repo:
        target = repo.health.target(service_id)
        assert target is not None
        repo.health.record(
            [
                CheckResult(
                    target=target,
                    checked_at=moment,
                    outcome=ProbeOutcome(status=status, checked_url="x", response_time_ms=5.0),
                    health=HealthState(status=status, last_checked_at=moment),
                )
                for moment, status in checks
            ]
        )
    report = invoke_api("GET", f"/services/{service_id}/health").body
    assert report["uptime"] == {"last_24h": 50.0, "last_7d": 33.33, "last_30d": 50.0}
    page = invoke_api("GET", f"/services/{service_id}/health/history", query={"limit": "2"}).body["items"]
    assert [c["status"] for c in page] == ["healthy", "unhealthy"]
    older = invoke_api("GET", f"/services/{service_id}/health/history", query={"before": page[-1]["checked_at"]}).body[
        "items"
    ]
    assert len(older) == 3


def test_the_overview_lists_failing_services_first(simulated):
    up = register("up", simulated.url("cloudgene", 24))
    down = register("down", simulated.url("error", 24))
    register("unchecked", simulated.url("cloudgene", 25))
    invoke_api("POST", f"/services/{up}/health-check")
    invoke_api("POST", f"/services/{down}/health-check")
    overview = invoke_api("GET", "/service-health").body
    assert overview["counts"] == {"healthy": 1, "unhealthy": 1, "unknown": 1}
    assert [s["slug"] for s in overview["services"]] == ["down", "unchecked", "up"]
    assert overview["services"][0]["health"]["last_error"] == "HTTP 503"

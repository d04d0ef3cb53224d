"""GET /services/discover and the internal `discover` function: the ranking `auto` submission uses,
from what the registry stores (services, panels, health with queue load, uptime, coordinates)."""

from datetime import UTC, datetime

import pytest

from registry.dal.unit_of_work import registry_repository
from registry.domain import CheckResult, HealthState
from registry.handlers.discover import ranking
from registry.models.common import HealthStatus
from registry.models.health import ProbeOutcome
from tests.support.api import invoke_api

pytestmark = pytest.mark.usefixtures("registry_db", "event_bus")

CAPE_TOWN = "-33.92,18.42"
KGP = "apps@1000g-phase-3-v5"


def register(
    slug: str, *, location: dict[str, object] | None = None, builds=("hg19", "hg38"), api_type="michigan", base_url=None
) -> str:
    body = {
        "name": slug.title(), "slug": slug, "api_type": api_type, "base_url": base_url or f"https://{slug}.example.org",
        "location": location or {}, "supported_builds": list(builds),
    }  # fmt: skip
    answer = invoke_api("POST", "/services", body=body)
    assert answer.status == 201, answer.body
    return str(answer.body["id"])


def add_panel(service_id: str, slug: str = KGP, build: str = "hg19", **fields: object) -> str:
    body = {"slug": slug, "display_name": "1000G Phase 3 v5", "build": build, "populations": ["afr", "eur"], **fields}
    answer = invoke_api("POST", f"/services/{service_id}/panels", body=body)
    assert answer.status == 201, answer.body
    return str(answer.body["id"])


def checked(service_id: str, status: HealthStatus, *, load: int | None = None, ms: float = 100.0, error=None) -> None:
    """Record a check of the service, as the sweep would, leaving it with this health and queue load."""
    now = datetime.now(UTC)
    with registry_repository() as repo:
        target = repo.health.target(service_id)
        assert target is not None
        outcome = ProbeOutcome(status=status, checked_url="x", response_time_ms=ms, error=error)
        health = HealthState(status=status, response_time_ms=ms, last_checked_at=now, queue_load=load, last_error=error)
        repo.health.record([CheckResult(target=target, checked_at=now, outcome=outcome, health=health)])


def discover(**query: str):
    return invoke_api("GET", "/services/discover", query=query)


def test_services_are_ranked_by_health_load_latency_and_distance_with_their_reasons():
    cape_town = register("cape-town", location={"country": "ZA", "latitude": -33.93, "longitude": 18.42})
    michigan = register("michigan", location={"country": "US", "latitude": 42.28, "longitude": -83.74})
    busy = register("busy", location={"country": "ZA", "latitude": -26.2, "longitude": 28.05})
    down = register("down")
    for service_id in (cape_town, michigan, busy, down):
        add_panel(service_id)
    checked(cape_town, HealthStatus.HEALTHY, load=1, ms=150.0)
    checked(michigan, HealthStatus.HEALTHY, load=1, ms=90.0)
    checked(busy, HealthStatus.HEALTHY, load=60, ms=120.0)
    checked(down, HealthStatus.UNHEALTHY, error="HTTP 503")
    answer = discover(panel=KGP, build="hg19", near=CAPE_TOWN)
    assert answer.status == 200, answer.body
    assert answer.body["near"] == {"latitude": -33.92, "longitude": 18.42}
    services = answer.body["services"]
    assert [(s["slug"], s["rank"]) for s in services] == [
        ("cape-town", 1), ("michigan", 2), ("busy", 3), ("down", None),
    ]  # fmt: skip
    first = services[0]
    assert first["queue_load"] == 1
    assert first["distance_km"] == pytest.approx(1.1, abs=0.2)
    assert first["panel"]["slug"] == KGP
    reasons = {reason["factor"]: reason for reason in first["reasons"]}
    assert set(reasons) == {"health", "queue_load", "latency", "distance", "panel_match"}
    assert reasons["health"]["detail"] == "healthy at its last check; 100% of checks healthy in 24 hours"
    assert reasons["queue_load"]["detail"] == "1 jobs queued or running"
    assert services[1]["distance_km"] == pytest.approx(13_400, rel=0.02)
    assert services[3]["ranked_out"] == "unhealthy: HTTP 503"
    assert services[3]["score"] is None


def test_only_active_services_with_the_panel_on_the_build_are_listed():
    listed = register("listed")
    inactive = register("inactive")
    other_build = register("other-build")
    other_panel = register("other-panel")
    add_panel(listed)
    add_panel(inactive)
    add_panel(other_build, build="hg38")
    add_panel(other_panel, slug="apps@hrc-r1.1")
    for service_id in (listed, inactive, other_build, other_panel):
        checked(service_id, HealthStatus.HEALTHY, load=0)
    assert invoke_api("PATCH", f"/services/{inactive}", body={"is_active": False}).status == 200
    services = discover(panel=KGP, build="hg19").body["services"]
    assert [s["slug"] for s in services] == ["listed"]
    distance = {reason["factor"]: reason for reason in services[0]["reasons"]}["distance"]
    assert (distance["weight"], distance["detail"]) == (0.0, "not weighed: no 'near' given")
    assert discover(panel="apps@no-such-panel", build="hg19").body["services"] == []


def test_a_panel_is_found_by_registry_id_or_by_cloudgenes_other_form_of_its_name():
    plain = register("plain")
    plain_panel = add_panel(plain, slug="1000g-phase-3-v5")
    checked(plain, HealthStatus.HEALTHY, load=0)
    by_name = discover(panel=KGP, build="hg19").body["services"]
    assert [(s["slug"], s["panel"]["slug"]) for s in by_name] == [("plain", "1000g-phase-3-v5")]
    panel_match = {reason["factor"]: reason for reason in by_name[0]["reasons"]}["panel_match"]
    assert panel_match["value"] == 0.9
    by_id = discover(panel=plain_panel, build="hg19").body["services"]
    assert [s["panel"]["id"] for s in by_id] == [plain_panel]
    assert {reason["factor"]: reason for reason in by_id[0]["reasons"]}["panel_match"]["value"] == 1.0


def test_new_unavailable_and_wrong_build_services_are_ranked_out_with_why():
    new = register("new")
    withdrawn = register("withdrawn")
    hg38_only = register("hg38-only", builds=("hg38",))
    add_panel(new)
    add_panel(withdrawn, is_available=False)
    add_panel(hg38_only)
    checked(withdrawn, HealthStatus.HEALTHY)
    checked(hg38_only, HealthStatus.HEALTHY)
    services = discover(panel=KGP, build="hg19").body["services"]
    assert {s["slug"]: s["ranked_out"] for s in services} == {
        "hg38-only": "the service does not take hg19 input",
        "new": "not checked yet: its first health check is due",
        "withdrawn": f"the panel {KGP} is marked unavailable on this service",
    }


@pytest.mark.parametrize(
    ("query", "location", "says"),
    [
        ({"panel": KGP, "build": "hg19", "near": "somewhere"}, "query.near", "two numbers separated by a comma"),
        ({"panel": KGP, "build": "hg19", "near": "-33.9"}, "query.near", "'latitude,longitude'"),
        ({"panel": KGP, "build": "hg19", "near": "91,18"}, "query.near", "latitude must be between -90 and 90"),
        ({"panel": KGP, "build": "hg19", "near": "-33,181"}, "query.near", "longitude must be between -180 and 180"),
        ({"panel": KGP, "build": "hg19", "near": "nan,inf"}, "query.near", "two numbers"),
        ({"panel": KGP, "build": "hg18"}, "query.build", "'hg19' or 'hg38'"),
        ({"build": "hg19"}, "query.panel", "required"),
        ({"panel": "a panel", "build": "hg19"}, "query.panel", "pattern"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_the_fix(query, location, says):
    answer = discover(**query)
    assert answer.status == 422, answer.body
    assert answer.content_type == "application/problem+json"
    [problem] = answer.body["errors"]
    assert problem["location"] == location
    assert says in problem["message"]


def test_the_internal_function_answers_the_same_ranking_for_jobs():
    service_id = register("internal", location={"latitude": -33.93, "longitude": 18.42})
    add_panel(service_id)
    checked(service_id, HealthStatus.HEALTHY, load=3)
    over_http = discover(panel=KGP, build="hg19", near=CAPE_TOWN).body
    invoked = ranking({"panel": KGP, "build": "hg19", "near": {"latitude": -33.92, "longitude": 18.42}})
    residency = invoked.pop("residency")
    assert invoked == over_http
    assert invoked["services"][0]["queue_load"] == 3
    assert residency == {"allowed_countries": [], "allowed_services": []}
    refused = ranking({"panel": KGP, "build": "hg17"})
    assert refused["error"] == "invalid_request"
    assert "build" in refused["detail"]
    assert ranking({"panel": KGP, "build": "hg19", "near": {"latitude": 100.0, "longitude": 0.0}})["error"] == (
        "invalid_request"
    )


@pytest.mark.usefixtures("outbound_to_loopback")
def test_a_check_records_the_queue_load_each_kind_of_service_reports(simulated):
    cloudgene = register("cloudgene", base_url=simulated.url("cloudgene", 40))  # counters: queue.size 7
    wes = register("wes", api_type="ga4gh_wes", base_url=simulated.url("wes", 41))  # RUNNING 2, QUEUED 1
    for service_id in (cloudgene, wes):
        assert invoke_api("POST", f"/services/{service_id}/health-check").body["health"]["queue_load"] is not None
    assert invoke_api("GET", f"/services/{cloudgene}").body["health"]["queue_load"] == 7
    assert invoke_api("GET", f"/services/{wes}").body["health"]["queue_load"] == 3
    add_panel(cloudgene)
    [ranked] = discover(panel=KGP, build="hg19").body["services"]
    assert (ranked["rank"], ranked["queue_load"]) == (1, 7)

"""Registering, finding, changing and deleting services through the API handler."""

import uuid

import pytest

from fip_core.access import Grant, Principal, Role
from tests.support.api import invoke_api

pytestmark = pytest.mark.usefixtures("registry_db", "event_bus")

H3AFRICA = {
    "name": "H3Africa Imputation Server",
    "slug": "h3africa",
    "api_type": "michigan",
    "base_url": "https://impute.afrigen-d.org",
    "institution": "AfriGen-D",
    "location": {"country": "ZA", "city": "Cape Town", "latitude": -33.92, "longitude": 18.42},
    "supported_builds": ["hg19", "hg38"],
    "max_upload_size_mb": 500,
    "requires_user_token": True,
}
ILIFU = {
    "name": "eLwazi WES node at ILIFU",
    "slug": "elwazi-ilifu",
    "api_type": "ga4gh_wes",
    "base_url": "https://wes.ilifu.ac.za/ga4gh/wes/v1",
    "description": "Nextflow and CWL runs close to South African data",
    "location": {"country": "ZA", "city": "Cape Town"},
    "supported_builds": ["hg38"],
}
MALI = {
    "name": "eLwazi WES node Mali",
    "slug": "elwazi-mali",
    "api_type": "ga4gh_wes",
    "base_url": "https://wes.example.ml",
    "location": {"country": "ML", "city": "Bamako"},
    "supported_builds": ["hg19"],
    "is_active": False,
}


def register(body):
    answer = invoke_api("POST", "/services", body=body)
    assert answer.status == 201, answer.body
    return answer


def test_a_registered_service_can_be_read_back_with_unknown_health():
    created = register(H3AFRICA)
    service = created.body
    assert created.headers["Location"] == f"/services/{service['id']}"
    assert service["slug"] == "h3africa"
    assert service["location"]["city"] == "Cape Town"
    assert service["health"]["status"] == "unknown"
    assert service["health"]["next_check_at"] is not None  # due for its first check at once
    fetched = invoke_api("GET", f"/services/{service['id']}")
    assert fetched.status == 200
    assert fetched.body == service


def test_a_duplicate_slug_is_a_conflict_and_changes_nothing():
    register(H3AFRICA)
    answer = invoke_api("POST", "/services", body={**H3AFRICA, "name": "Another"})
    assert answer.status == 409
    assert answer.content_type == "application/problem+json"
    assert "h3africa" in answer.body["detail"]
    listing = invoke_api("GET", "/services").body
    assert [s["name"] for s in listing["items"]] == ["H3Africa Imputation Server"]


def test_filters_search_and_paging():
    for body in (H3AFRICA, ILIFU, MALI):
        register(body)

    def slugs(**query):
        answer = invoke_api("GET", "/services", query={k: str(v) for k, v in query.items()})
        assert answer.status == 200, answer.body
        return [s["slug"] for s in answer.body["items"]], answer.body["total"]

    assert slugs() == (["elwazi-ilifu", "elwazi-mali", "h3africa"], 3)  # by name, case-insensitively
    assert slugs(api_type="ga4gh_wes") == (["elwazi-ilifu", "elwazi-mali"], 2)
    assert slugs(is_active="true") == (["elwazi-ilifu", "h3africa"], 2)
    assert slugs(build="hg19") == (["elwazi-mali", "h3africa"], 2)
    assert slugs(country="ml") == (["elwazi-mali"], 1)
    assert slugs(q="NEXTFLOW") == (["elwazi-ilifu"], 1)
    assert slugs(q="afrigen") == (["h3africa"], 1)
    assert slugs(q="100%_") == ([], 0)
    assert slugs(health="unknown", limit=1, offset=1) == (["elwazi-mali"], 3)
    assert slugs(limit=2, offset=5) == ([], 3)  # a page past the end still says how many match


def test_changes_apply_only_the_fields_given():
    service = register(H3AFRICA).body
    answer = invoke_api(
        "PATCH", f"/services/{service['id']}", body={"description": "Now with v6 panels", "institution": None}
    )
    assert answer.status == 200, answer.body
    assert answer.body["description"] == "Now with v6 panels"
    assert answer.body["institution"] is None
    assert answer.body["name"] == H3AFRICA["name"]
    assert answer.body["updated_at"] > service["updated_at"]


def test_deactivating_and_reactivating_a_service():
    service = register(H3AFRICA).body
    off = invoke_api("PATCH", f"/services/{service['id']}", body={"is_active": False}).body
    assert off["is_active"] is False
    assert off["deactivated_reason"] == "deactivated by an administrator"
    on = invoke_api("PATCH", f"/services/{service['id']}", body={"is_active": True}).body
    assert on["is_active"] is True
    assert on["deactivated_reason"] is None


def test_a_new_base_url_forgets_the_old_health():
    service = register(H3AFRICA).body
    answer = invoke_api("PATCH", f"/services/{service['id']}", body={"base_url": "https://impute2.afrigen-d.org/"})
    assert answer.body["base_url"] == "https://impute2.afrigen-d.org"
    assert answer.body["health"]["status"] == "unknown"


def test_deleting_a_service_removes_it_and_its_panels():
    service = register(H3AFRICA).body
    panel = {"slug": "apps@h3africa-v6hc-s@1.0.0", "display_name": "H3Africa v6", "build": "hg38"}
    assert invoke_api("POST", f"/services/{service['id']}/panels", body=panel).status == 201
    assert invoke_api("DELETE", f"/services/{service['id']}").status == 204
    assert invoke_api("GET", f"/services/{service['id']}").status == 404
    assert invoke_api("GET", "/panels").body["items"] == []
    again = invoke_api("DELETE", f"/services/{service['id']}")
    assert again.status == 404
    assert again.content_type == "application/problem+json"


def test_unknown_services_are_404_problems():
    missing = uuid.uuid4()
    for method, path in (
        ("GET", f"/services/{missing}"),
        ("PATCH", f"/services/{missing}"),
        ("DELETE", f"/services/{missing}"),
    ):
        answer = invoke_api(method, path, body={"name": "x"} if method == "PATCH" else None)
        assert answer.status == 404, (method, answer.body)
        assert answer.body["title"] == "Not found"
        assert str(missing) in answer.body["detail"]


@pytest.mark.parametrize(
    "grant",
    [
        Grant(role=Role.SERVICE_ADMIN, service_id="{id}"),
        Grant(role=Role.SERVICE_ADMIN),  # unscoped, but not an admin
        Grant(role=Role.ADMIN, service_id="{id}"),  # an admin of this service only
    ],
    ids=["service-admin", "unscoped-service-admin", "scoped-admin"],
)
def test_only_an_unscoped_admin_may_change_where_a_service_is(grant):
    service = register(H3AFRICA).body
    scoped = grant.model_copy(update={"service_id": service["id"] if grant.service_id else None})
    caller = Principal(user_id="maintainer", method="cognito", grants=[scoped])
    moved = invoke_api(
        "PATCH", f"/services/{service['id']}", body={"base_url": "https://evil.example.org"}, principal=caller
    )
    assert moved.status == 403, moved.body
    assert moved.content_type == "application/problem+json"
    assert "base_url" in moved.body["detail"]
    assert invoke_api("GET", f"/services/{service['id']}").body["base_url"] == H3AFRICA["base_url"]
    described = invoke_api(
        "PATCH", f"/services/{service['id']}", body={"description": "Maintained by us"}, principal=caller
    )
    assert described.status == 200, described.body
    assert described.body["description"] == "Maintained by us"


def test_a_listed_service_reads_as_it_reads_alone_health_included():
    # a page is read apart from one service (on PostgreSQL as JSON documents): both must say the same,
    # timestamps to the microsecond and in UTC, numbers exactly, the builds in their order
    from datetime import UTC, datetime, timedelta, timezone

    from registry.dal.unit_of_work import registry_repository
    from registry.domain import HealthState
    from registry.models.common import HealthStatus

    created = register(H3AFRICA)
    checked = datetime(2026, 3, 1, 23, 59, 58, 123456, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    health = HealthState(
        status=HealthStatus.UNHEALTHY,
        response_time_ms=0.1 + 0.2,
        last_checked_at=checked,
        next_check_at=checked + timedelta(minutes=5),
        consecutive_failures=3,
        last_error="timed out",
        unhealthy_since=checked - timedelta(days=1),
    )
    with registry_repository() as repo:
        repo.services.update(created.body["id"], {}, datetime.now(UTC), health)
    alone = invoke_api("GET", f"/services/{created.body['id']}").body
    listed = invoke_api("GET", "/services", query={"q": "h3africa"}).body["items"]
    assert listed == [alone]
    assert alone["health"]["last_checked_at"] == "2026-03-01T18:29:58.123456Z"
    assert alone["health"]["response_time_ms"] == 0.1 + 0.2
    assert alone["supported_builds"] == ["hg19", "hg38"]

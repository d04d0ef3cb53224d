"""Reference panels of a service, named as the service knows them."""

import uuid

import pytest

from fip_core.access import Grant, Principal, Role
from tests.support.api import invoke_api

pytestmark = pytest.mark.usefixtures("registry_db", "event_bus")

V6 = {
    "slug": "apps@h3africa-v6hc-s@1.0.0",
    "display_name": "H3Africa v6 high coverage",
    "build": "hg38",
    "populations": ["AFR", "mixed"],
    "sample_count": 4447,
}
HRC = {
    "slug": "apps@hrc-r1.1",
    "display_name": "HRC r1.1",
    "build": "hg19",
    "populations": ["EUR", "mixed"],
    "sample_count": 32470,
}


@pytest.fixture
def service_id():
    body = {
        "name": "Michigan",
        "slug": "michigan",
        "api_type": "michigan",
        "base_url": "https://imputationserver.sph.umich.edu",
    }
    return invoke_api("POST", "/services", body=body).body["id"]


def test_panels_are_added_listed_and_found_across_services(service_id):
    created = invoke_api("POST", f"/services/{service_id}/panels", body=V6)
    assert created.status == 201, created.body
    assert created.headers["Location"].endswith(created.body["id"])
    assert created.body["is_available"] is True
    invoke_api("POST", f"/services/{service_id}/panels", body=HRC)
    listed = invoke_api("GET", f"/services/{service_id}/panels").body["items"]
    assert [p["slug"] for p in listed] == [V6["slug"], HRC["slug"]]
    assert [p["slug"] for p in invoke_api("GET", "/panels", query={"build": "hg19"}).body["items"]] == [HRC["slug"]]
    assert [p["slug"] for p in invoke_api("GET", "/panels", query={"population": "afr"}).body["items"]] == [V6["slug"]]


def test_a_panel_slug_is_unique_within_its_service(service_id):
    invoke_api("POST", f"/services/{service_id}/panels", body=V6)
    again = invoke_api("POST", f"/services/{service_id}/panels", body={**V6, "display_name": "Copy"})
    assert again.status == 409
    assert V6["slug"] in again.body["detail"]


def test_panels_change_and_go(service_id):
    panel = invoke_api("POST", f"/services/{service_id}/panels", body=V6).body
    path = f"/services/{service_id}/panels/{panel['id']}"
    changed = invoke_api("PATCH", path, body={"is_available": False, "sample_count": None})
    assert changed.status == 200
    assert changed.body["is_available"] is False
    assert changed.body["sample_count"] is None
    assert invoke_api("GET", "/panels", query={"available": "true"}).body["items"] == []
    assert invoke_api("DELETE", path).status == 204
    assert invoke_api("GET", path).status == 404


def test_a_panel_belongs_to_its_service_only(service_id):
    panel = invoke_api("POST", f"/services/{service_id}/panels", body=V6).body
    other = invoke_api(
        "POST",
        "/services",
        body={
            "name": "TOPMed",
            "slug": "topmed",
            "api_type": "michigan",
            "base_url": "https://imputation.biodatacatalyst.nhlbi.nih.gov",
        },
    ).body
    assert invoke_api("GET", f"/services/{other['id']}/panels/{panel['id']}").status == 404
    assert invoke_api("DELETE", f"/services/{other['id']}/panels/{panel['id']}").status == 404
    assert invoke_api("GET", f"/services/{service_id}/panels/{panel['id']}").status == 200


def test_panels_of_an_unknown_service_are_404():
    missing = uuid.uuid4()
    assert invoke_api("GET", f"/services/{missing}/panels").status == 404
    assert invoke_api("POST", f"/services/{missing}/panels", body=V6).status == 404


def test_a_panel_cannot_be_changed_through_another_service_path(service_id):
    panel = invoke_api("POST", f"/services/{service_id}/panels", body=V6).body
    other = invoke_api(
        "POST",
        "/services",
        body={"name": "Other", "slug": "other", "api_type": "michigan", "base_url": "https://other.example.org"},
    ).body
    # the admin of the other service names their own service in the path, and this service's panel
    maintainer = Principal(
        user_id="other-admin", method="cognito", grants=[Grant(role=Role.SERVICE_ADMIN, service_id=other["id"])]
    )
    changed = invoke_api(
        "PATCH",
        f"/services/{other['id']}/panels/{panel['id']}",
        body={"is_available": False, "display_name": "Hijacked"},
        principal=maintainer,
    )
    assert changed.status == 404, changed.body
    assert changed.content_type == "application/problem+json"
    deleted = invoke_api("DELETE", f"/services/{other['id']}/panels/{panel['id']}", principal=maintainer)
    assert deleted.status == 404
    unchanged = invoke_api("GET", f"/services/{service_id}/panels/{panel['id']}").body
    assert (unchanged["display_name"], unchanged["is_available"]) == (V6["display_name"], True)
    # and through its own service's path, that admin is refused outright
    direct = invoke_api(
        "PATCH", f"/services/{service_id}/panels/{panel['id']}", body={"display_name": "x"}, principal=maintainer
    )
    assert direct.status == 403

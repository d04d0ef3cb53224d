"""The internal `submission` function the jobs domain asks before submitting to a service, on SQLite and
PostgreSQL: the service, whether it takes jobs (active, health, token) and its panels with their builds."""

import uuid

import pytest

from local_platform.events import lambda_context
from registry.handlers.submission import handler as submission
from tests.support.api import invoke_api

pytestmark = pytest.mark.usefixtures("registry_db", "event_bus")

MICHIGAN = {
    "name": "Michigan",
    "slug": "michigan",
    "api_type": "michigan",
    "base_url": "https://imputationserver.sph.umich.edu",
    "requires_user_token": True,
    "supported_builds": ["hg19", "hg38"],
}
HRC = {"slug": "apps@hrc-r1.1", "display_name": "HRC r1.1", "build": "hg19", "populations": ["EUR", "mixed"]}


def _call(payload):
    return dict(submission(payload, lambda_context("registry-submission")))


def test_a_service_is_answered_with_its_state_and_its_panels():
    service = invoke_api("POST", "/services", body=MICHIGAN).body
    panel = invoke_api("POST", f"/services/{service['id']}/panels", body=HRC).body
    other = invoke_api("POST", "/services", body={**MICHIGAN, "slug": "other", "base_url": "https://o.example.org"})
    invoke_api("POST", f"/services/{other.body['id']}/panels", body={**HRC, "slug": "apps@other"})

    answer = _call({"service_id": service["id"]})
    assert answer == {
        "id": service["id"],
        "name": "Michigan",
        "api_type": "michigan",
        "base_url": "https://imputationserver.sph.umich.edu",
        "active": True,
        "deactivated_reason": None,
        "health_status": "unknown",
        "requires_user_token": True,
        "supported_builds": ["hg19", "hg38"],
        "panels": [
            {
                "id": panel["id"],
                "slug": "apps@hrc-r1.1",
                "build": "hg19",
                "populations": ["EUR", "mixed"],
                "available": True,
            }
        ],
        "api_url": "https://imputationserver.sph.umich.edu/api/v2",
        "workflow": None,
        "country": None,
        "residency": {"allowed_countries": [], "allowed_services": []},
    }


def test_a_deactivated_service_says_so_and_why():
    service = invoke_api("POST", "/services", body=MICHIGAN).body
    changed = invoke_api("PATCH", f"/services/{service['id']}", body={"is_active": False})
    assert changed.status == 200, changed.body
    answer = _call({"service_id": service["id"]})
    assert (answer["active"], answer["panels"]) == (False, [])


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({"service_id": str(uuid.uuid4())}, "not_found"),
        ({"service_id": "michigan"}, "invalid_request"),
        ({}, "invalid_request"),
        ({"service_id": str(uuid.uuid4()), "extra": 1}, "invalid_request"),
    ],
)
def test_an_unknown_service_or_a_malformed_call_is_refused(payload, error):
    answer = _call(payload)
    assert answer["error"] == error
    assert answer["detail"]

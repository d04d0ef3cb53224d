"""The platform's residency policy in the registry, on SQLite and PostgreSQL: everyone signed in reads it,
only an administrator sets it (audited), every code and service it names is checked, and the jobs domain
reads it with each service's submission details and with each ranking."""

import uuid

import pytest

from fip_core.access import Grant, Principal, Role
from local_platform.events import lambda_context
from registry.handlers.discover import handler as discover
from registry.handlers.submission import handler as submission
from tests.support.api import invoke_api

pytestmark = pytest.mark.usefixtures("registry_db", "event_bus")

RESEARCHER = Principal(user_id="ada", method="cognito", grants=[Grant(role=Role.RESEARCHER)])
UNRESTRICTED: dict[str, list[str]] = {"allowed_countries": [], "allowed_services": []}


def _service(slug, country=None):
    body = {"name": slug, "slug": slug, "api_type": "michigan", "base_url": f"https://{slug}.example.org"}
    if country:
        body["location"] = {"country": country}
    answer = invoke_api("POST", "/services", body=body)
    assert answer.status == 201, answer.body
    return answer.body


def test_the_policy_is_unrestricted_until_an_admin_sets_it_and_everyone_reads_it(event_bus):
    assert invoke_api("GET", "/residency-policy", principal=RESEARCHER).body == {
        **UNRESTRICTED, "updated_at": None, "updated_by": None,
    }  # fmt: skip
    za = _service("za", "ZA")
    event_bus.captured_events()

    answer = invoke_api("PUT", "/residency-policy", body={"allowed_countries": ["ZA"], "allowed_services": [za["id"]]})
    assert answer.status == 200, answer.body
    read = invoke_api("GET", "/residency-policy", principal=RESEARCHER).body
    assert (read["allowed_countries"], read["allowed_services"]) == (["ZA"], [za["id"]])
    assert read["updated_by"] == "test-admin"
    audited = [e["detail"]["data"] for e in event_bus.captured_events("AuditRecorded")]
    assert [(a["action"], a["details"]) for a in audited] == [
        ("residency_policy_set", {"allowed_countries": ["ZA"], "allowed_services": [za["id"]]})
    ]

    invoke_api("PUT", "/residency-policy", body=UNRESTRICTED)
    assert invoke_api("GET", "/residency-policy").body["allowed_countries"] == []


def test_only_an_admin_sets_the_policy(event_bus):
    body = {"allowed_countries": ["ZA"], "allowed_services": []}
    answer = invoke_api("PUT", "/residency-policy", body=body, principal=RESEARCHER)
    assert answer.status == 403
    assert invoke_api("GET", "/residency-policy").body["allowed_countries"] == []
    assert event_bus.captured_events("AuditRecorded") == []


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"allowed_countries": ["UK"], "allowed_services": []}, "body.allowed_countries.0"),  # GB is the code
        ({"allowed_countries": ["ZA", "za"], "allowed_services": []}, "body.allowed_countries.1"),
        ({"allowed_countries": ["ZA", "ZA"], "allowed_services": []}, "body"),
        ({"allowed_countries": [], "allowed_services": ["michigan"]}, "body.allowed_services.0"),
        ({"allowed_countries": []}, "body.allowed_services"),
        ({"allowed_countries": [], "allowed_services": [], "allowed_institutions": []}, "body.allowed_institutions"),
    ],
)
def test_a_malformed_policy_is_refused_naming_the_field(body, location):
    answer = invoke_api("PUT", "/residency-policy", body=body)
    assert answer.status == 422, answer.body
    assert location in [error["location"] for error in answer.body["errors"]], answer.body
    assert invoke_api("GET", "/residency-policy").body["updated_at"] is None


def test_a_service_the_registry_does_not_hold_is_refused_and_nothing_is_set(event_bus):
    known = _service("known", "NG")["id"]
    unknown = str(uuid.uuid4())
    body = {"allowed_countries": [], "allowed_services": [known, unknown]}
    answer = invoke_api("PUT", "/residency-policy", body=body)
    assert answer.status == 422
    errors = [(e["location"], e["type"]) for e in answer.body["errors"]]
    assert errors == [("body.allowed_services.1", "unknown_service")]
    assert unknown in answer.body["errors"][0]["message"]
    assert invoke_api("GET", "/residency-policy").body["updated_at"] is None


def test_a_service_country_must_be_an_iso_code():
    body = {"name": "x", "slug": "x", "api_type": "michigan", "base_url": "https://x.example.org"}
    refused = invoke_api("POST", "/services", body=body | {"location": {"country": "UK"}})
    assert refused.status == 422
    assert refused.body["errors"][0]["location"] == "body.location.country"
    service = _service("gb", "GB")
    assert service["location"]["country"] == "GB"
    moved = invoke_api("PATCH", f"/services/{service['id']}", body={"location": {"country": "ZA"}})
    assert moved.body["location"]["country"] == "ZA"


def test_the_jobs_domain_reads_the_policy_with_a_service_and_with_a_ranking():
    za = _service("za", "ZA")
    panel = {"slug": "apps@h3africa-v6", "display_name": "H3Africa", "build": "hg38", "populations": ["AFR"]}
    invoke_api("POST", f"/services/{za['id']}/panels", body=panel)
    invoke_api("PUT", "/residency-policy", body={"allowed_countries": ["ZA", "NG"], "allowed_services": []})
    rules = {"allowed_countries": ["ZA", "NG"], "allowed_services": []}

    answer = dict(submission({"service_id": za["id"]}, lambda_context("registry-submission")))
    assert (answer["country"], answer["residency"]) == ("ZA", rules)
    ranking = dict(discover({"panel": "apps@h3africa-v6", "build": "hg38"}, lambda_context("registry-discover")))
    assert ranking["residency"] == rules
    assert [(s["slug"], s["country"]) for s in ranking["services"]] == [("za", "ZA")]

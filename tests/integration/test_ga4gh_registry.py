"""The GA4GH Service Registry answers, validated against the 1.0.0 specification."""

import copy
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.support.api import invoke_api

pytestmark = pytest.mark.usefixtures("registry_db", "event_bus", "outbound_to_loopback")

SPECS = Path(__file__).resolve().parents[2] / "specs"
SERVICE_INFO_URL = "https://raw.githubusercontent.com/ga4gh-discovery/ga4gh-service-info/v1.0.0/service-info.yaml"


def _load_specs():
    registry = yaml.safe_load((SPECS / "service-registry-1.0.0.yaml").read_text())
    service_info = yaml.safe_load((SPECS / "service-info-1.0.0.yaml").read_text())
    return registry, service_info


def _resolve(node, registry, service_info):
    """Inline every $ref, the remote service-info one from the local copy of that spec."""
    if isinstance(node, dict):
        if "$ref" in node:
            reference = node["$ref"]
            document, pointer = (
                (service_info, reference.split("#", 1)[1])
                if reference.startswith(SERVICE_INFO_URL)
                else (registry, reference[1:])
            )
            target = document
            for part in pointer.strip("/").split("/"):
                target = target[part]
            return _resolve(copy.deepcopy(target), registry, service_info)
        return {key: _resolve(value, registry, service_info) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(item, registry, service_info) for item in node]
    return node


def response_schema(path, status="200"):
    registry, service_info = _load_specs()
    response = registry["paths"][path]["get"]["responses"][status]
    if "$ref" in response:
        response = registry["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return _resolve(response["content"]["application/json"]["schema"], registry, service_info)


def assert_valid(instance, schema):
    jsonschema.validate(instance, schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


@pytest.fixture
def registered(simulated):
    services = [
        {
            "name": "H3Africa",
            "slug": "h3africa",
            "api_type": "michigan",
            "base_url": simulated.url("cloudgene", 30),
            "institution": "AfriGen-D",
            "institution_url": "https://afrigen-d.org",
            "contact_url": "mailto:help@afrigen-d.org",
            "documentation_url": "https://impute.afrigen-d.org/docs",
        },
        {
            "name": "ILIFU WES",
            "slug": "ilifu",
            "api_type": "ga4gh_wes",
            "base_url": simulated.url("wes", 30),
            "description": "eLwazi node",
        },
        {
            "name": "Retired",
            "slug": "retired",
            "api_type": "ga4gh_wes",
            "base_url": simulated.url("wes", 31),
            "is_active": False,
        },
    ]
    ids = [invoke_api("POST", "/services", body=body).body["id"] for body in services]
    invoke_api("POST", f"/services/{ids[1]}/health-check")  # the WES node's service-info is now known
    return ids


def test_services_list_matches_the_spec(registered, simulated):
    answer = invoke_api("GET", "/ga4gh/registry/v1/services")
    assert answer.status == 200
    assert_valid(answer.body, response_schema("/services"))
    by_id = {s["id"]: s for s in answer.body}
    assert set(by_id) == {"org.federated-imputation.h3africa", "org.federated-imputation.ilifu"}  # active only
    wes = by_id["org.federated-imputation.ilifu"]
    assert wes["type"] == {"group": "org.ga4gh", "artifact": "wes", "version": "1.1.0"}
    assert wes["url"] == simulated.url("wes", 30) + "/ga4gh/wes/v1"
    assert wes["version"] == "1.1.0"
    cloudgene = by_id["org.federated-imputation.h3africa"]
    assert cloudgene["organization"] == {"name": "AfriGen-D", "url": "https://afrigen-d.org/"}
    assert cloudgene["contactUrl"] == "mailto:help@afrigen-d.org"


def test_one_service_and_a_missing_one(registered):
    answer = invoke_api("GET", "/ga4gh/registry/v1/services/org.federated-imputation.ilifu")
    assert answer.status == 200
    assert_valid(answer.body, response_schema("/services/{serviceId}"))
    for missing in ("org.federated-imputation.retired", "org.federated-imputation.nope", "h3africa"):
        gone = invoke_api("GET", f"/ga4gh/registry/v1/services/{missing}")
        assert gone.status == 404
        assert_valid(gone.body, response_schema("/services/{serviceId}", "404"))


def test_service_types_are_distinct_and_valid(registered):
    answer = invoke_api("GET", "/ga4gh/registry/v1/services/types")
    assert_valid(answer.body, response_schema("/services/types"))
    assert {(t["group"], t["artifact"]) for t in answer.body} == {
        ("com.cloudgene", "cloudgene-api"),
        ("org.ga4gh", "wes"),
    }


def test_the_registry_describes_itself():
    answer = invoke_api("GET", "/ga4gh/registry/v1/service-info")
    assert_valid(answer.body, response_schema("/service-info"))
    assert answer.body["type"] == {"group": "org.ga4gh", "artifact": "service-registry", "version": "1.0.0"}

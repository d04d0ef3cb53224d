"""Every declared route, fed bad input, answers a 4xx problem and writes nothing. The routes come
from the declarations, so a new route is covered the day it is declared."""

import importlib
import json
import re

import pytest

from infra.domains import DOMAINS
from tests.support.api import invoke_api

pytestmark = pytest.mark.usefixtures("platform")

ROUTES = [(domain, route) for domain in DOMAINS for route in domain.routes]
HOSTILE_PATH_VALUES = ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "%00", "' OR 1=1 --", "x" * 300]
HOSTILE_BODIES = [
    "{",
    "[]",
    "null",
    '"text"',
    "12",
    '{"name": 5, "slug": [], "api_type": {}, "base_url": false}',
    "\udcff",
]


def openapi_operation(domain, route):
    module = importlib.import_module(domain.function(domain.api_function).handler.rsplit(".", 1)[0])
    schema = module.app.get_openapi_schema().model_dump(mode="json", by_alias=True, exclude_none=True)
    return schema["paths"][route.path][route.method.lower()]


def wrong_value(parameter):
    schema = parameter.get("schema", {})
    kinds = {option.get("type") for option in schema.get("anyOf", [schema])} | {None}
    if "integer" in kinds:
        return "twelve"
    if "boolean" in kinds:
        return "perhaps"
    if any("enum" in option or "$ref" in option for option in schema.get("anyOf", [schema])):
        return "no-such-value"
    if ("string" in kinds and schema.get("format") == "date-time") or any(
        o.get("format") == "date-time" for o in schema.get("anyOf", [])
    ):
        return "yesterday"
    return "x" * 5000


def snapshot():
    services = invoke_api("GET", "/services", query={"limit": "500"}).body
    panels = invoke_api("GET", "/panels").body
    return json.dumps(services, sort_keys=True), json.dumps(panels, sort_keys=True)


def assert_problem(answer, context):
    assert 400 <= answer.status < 500, (context, answer.status, answer.body)
    assert answer.content_type == "application/problem+json", context
    assert answer.body["status"] == answer.status, context
    assert answer.body["title"], context
    assert answer.body["detail"], context


@pytest.fixture
def existing():
    body = {"name": "Existing", "slug": "existing", "api_type": "michigan", "base_url": "http://127.0.0.1:9"}
    service = invoke_api("POST", "/services", body=body).body
    panel = invoke_api(
        "POST", f"/services/{service['id']}/panels", body={"slug": "p1", "display_name": "P1", "build": "hg19"}
    ).body
    return {"service_id": service["id"], "panel_id": panel["id"]}


@pytest.mark.parametrize(("domain", "route"), ROUTES, ids=[r.route_key for _, r in ROUTES])
def test_bad_input_is_a_problem_never_a_server_error(domain, route, existing):
    before = snapshot()
    names = re.findall(r"\{(\w+)\}", route.path)
    attempts = []
    for value in HOSTILE_PATH_VALUES:
        for name in names:
            path = route.path
            for other in names:
                path = path.replace("{" + other + "}", value if other == name else existing.get(other, "x"))
            attempts.append({"path": path})
    valid_path = route.path
    for name in names:
        valid_path = valid_path.replace("{" + name + "}", existing.get(name, "x"))
    operation = openapi_operation(domain, route)
    if "requestBody" in operation:
        attempts += [{"path": valid_path, "body": body} for body in HOSTILE_BODIES]
        attempts.append({"path": valid_path, "body": "{}", "headers": {"content-type": "text/csv"}})
    for parameter in (p for p in operation.get("parameters", []) if p["in"] == "query"):
        attempts.append({"path": valid_path, "query": {parameter["name"]: wrong_value(parameter)}})
    for attempt in attempts:
        headers = attempt.get("headers", {"content-type": "application/json"})
        answer = invoke_api(
            route.method, attempt["path"], body=attempt.get("body"), query=attempt.get("query"), headers=headers
        )
        if answer.status < 400 and "body" not in attempt and "query" not in attempt:
            continue  # a string path parameter such as a GA4GH id may legitimately match nothing harmful
        assert_problem(answer, (route.route_key, attempt))
    assert snapshot() == before, "a refused request changed stored data"

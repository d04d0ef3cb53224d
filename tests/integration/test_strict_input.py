"""The API takes exactly what its OpenAPI document describes, and no input makes a 5xx.

Bodies that are not UTF-8, not base64 where the event says so, or not RFC 8259 JSON get a 400 or 422
naming the body on every route that takes one; query and path values must have the form the document
gives their type (pydantic's lax mode would take `0.5` as a moment and `yes` as true); body numbers
and booleans must be JSON numbers and booleans; text holds no control characters or unpaired
surrogates. The routes with bodies and parameters come from the document, so a new route is covered."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from fip_core.fields import SINGLE_LINE_PATTERN
from infra.domains import DOMAINS
from local_platform.openapi import domain_resolver
from tests.support.api import invoke_api

pytestmark = pytest.mark.usefixtures("platform")

OPERATIONS = [
    (route, operation)
    for domain in DOMAINS
    for route in domain.routes
    for operation in [
        domain_resolver(domain)
        .get_openapi_schema()
        .model_dump(mode="json", by_alias=True, exclude_none=True)["paths"][route.path][route.method.lower()]
    ]
]
WITH_BODY = [(route, operation) for route, operation in OPERATIONS if "requestBody" in operation]
JSON = {"content-type": "application/json"}
SERVICE = {"name": "Strict", "slug": "strict", "api_type": "michigan", "base_url": "http://127.0.0.1:9"}


def concrete(path: str) -> str:
    return re.sub(r"\{\w+\}", lambda _: str(uuid.uuid4()), path)


def assert_problem(answer: Any, status: tuple[int, ...], location: str, context: object) -> None:
    assert answer.status in status, (context, answer.status, answer.body)
    assert answer.content_type == "application/problem+json", context
    locations = [error["location"] for error in answer.body.get("errors") or []]
    assert any(found == location or found.startswith(f"{location}.") for found in locations), (context, answer.body)


def test_routes_with_bodies_are_found_in_the_document():
    assert len(WITH_BODY) >= 13


@pytest.mark.parametrize(("route", "operation"), WITH_BODY, ids=[route.route_key for route, _ in WITH_BODY])
def test_a_body_that_is_not_utf8_json_is_a_problem_naming_the_body(route, operation):
    path = concrete(route.path)
    bodies: list[tuple[Any, dict[str, str], tuple[int, ...]]] = [
        (b'{"name": "\xff\xfe"}', JSON, (400,)),  # not UTF-8: sent base64-encoded, as API Gateway would
        ("\udcff", JSON, (400,)),  # an unpaired surrogate in the text itself
        ('{"name": "\\udcff"}', JSON, (422,)),  # ... or escaped in a JSON string
        ('{"\\ud800": 1}', JSON, (422,)),  # ... in a key
        ('{"latitude": NaN}', JSON, (422,)),  # not RFC 8259 JSON
        ("[" * 100_000 + "]" * 100_000, JSON, (422,)),  # nested past what a parser should walk
        ("not json", JSON, (422,)),
    ]
    for body, headers, statuses in bodies:
        answer = invoke_api(route.method, path, body=body, headers=headers)
        assert_problem(answer, statuses, "body", (route.route_key, str(body)[:40]))
    marked = invoke_api(route.method, path, body="{}", headers=JSON)
    event_says_base64 = invoke_api(route.method, path, body=b"{}", headers=JSON)  # bytes travel base64-encoded
    assert event_says_base64.status == marked.status, "a base64 body is read like the same body as text"


def test_a_body_marked_base64_that_is_not_is_400():
    from local_platform.events import http_api_event, lambda_context
    from registry.handlers.api import handler
    from tests.support.api import TEST_ADMIN

    event = http_api_event(
        "POST", "/services", route_key="POST /services", body="{}", authorizer={"lambda": TEST_ADMIN.to_context()}
    )
    event["body"], event["isBase64Encoded"] = "***not base64***", True  # what API Gateway never sends, refused
    result = handler(event, lambda_context())
    assert result["statusCode"] == 400
    assert "base64" in result["body"]


@pytest.mark.parametrize(
    ("path", "query", "parameter"),
    [
        ("/audit-log", {"since": "0.5"}, "since"),
        ("/audit-log", {"since": "2026-01-01"}, "since"),
        ("/audit-log", {"since": "2026-01-01T00:00:00"}, "since"),  # no zone
        ("/services", {"is_active": "yes"}, "is_active"),
        ("/services", {"is_active": "1"}, "is_active"),
        ("/services", {"limit": "1.0"}, "limit"),
        ("/services", {"limit": "+5"}, "limit"),
        ("/services", {"limit": " 5"}, "limit"),
        ("/services", {"offset": "9223372036854775808"}, "offset"),  # past 64 bits: a 500 from the database
        ("/users", {"offset": "99999999999999999999"}, "offset"),
        ("/audit-log", {"offset": "-9223372036854775809"}, "offset"),
        ("/panels", {"available": "on"}, "available"),
        ("/services", {"q": "a\x00b"}, "q"),
        ("/users", {"q": "\x1b[2J"}, "q"),
        ("/audit-log", {"actor_id": "x\x7f"}, "actor_id"),
    ],
)
def test_query_values_must_have_the_documented_form(path, query, parameter):
    assert_problem(invoke_api("GET", path, query=query), (422,), f"query.{parameter}", (path, query))


def test_documented_forms_are_accepted():
    assert invoke_api("GET", "/audit-log", query={"since": "2026-01-01T00:00:00Z", "limit": "5"}).status == 200
    assert invoke_api("GET", "/audit-log", query={"since": "2026-01-01T00:00:00.5+02:00"}).status == 200
    assert invoke_api("GET", "/services", query={"is_active": "false", "limit": "10", "q": "Ünïcode"}).status == 200
    assert invoke_api("GET", "/users", query={"offset": "9223372036854775807"}).body["items"] == []


@pytest.mark.parametrize(
    "path",
    [f"/services/{uuid.uuid4().hex}", f"/services/{{{uuid.uuid4()}}}", f"/services/urn:uuid:{uuid.uuid4()}"],
)
def test_path_uuids_must_be_hyphenated(path):
    assert_problem(invoke_api("GET", path), (422,), "path.service_id", path)


def test_path_text_refuses_control_characters():
    assert_problem(invoke_api("GET", "/users/a\x00b"), (422,), "path.user_id", "NUL")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("requires_user_token", 1),
        ("is_active", "true"),
        ("max_upload_size_mb", "5"),
        ("location", {"latitude": "1.5", "longitude": 2}),
        ("name", "tab\there"),
        ("name", "line\nbreak"),
        ("name", "\x07bell"),
        ("institution", "\u0085next line"),
        ("description", "nul\x00"),
        ("base_url", "http://exam\tple.org"),
    ],
)
def test_body_fields_take_json_types_and_clean_text(field, value):
    answer = invoke_api("POST", "/services", body={**SERVICE, field: value})
    assert_problem(answer, (422,), f"body.{field}", (field, value))


def test_multi_line_text_keeps_newlines_and_tabs():
    answer = invoke_api("POST", "/services", body={**SERVICE, "description": "line one\n\tline two"})
    assert answer.status == 201, answer.body
    assert answer.body["description"] == "line one\n\tline two"


def test_users_fields_are_as_strict():
    me = invoke_api("POST", "/me/api-tokens", body={"name": "x", "expires_in_days": "30"})
    assert_problem(me, (422,), "body.expires_in_days", "string days")
    grant = invoke_api("POST", "/users/u/roles", body={"role": "viewer", "expires_at": 1_900_000_000})
    assert_problem(grant, (422,), "body.expires_at", "number as a moment")
    grant = invoke_api("POST", "/users/u/roles", body={"role": "viewer", "service_id": uuid.uuid4().hex})
    assert_problem(grant, (422,), "body.service_id", "unhyphenated uuid")
    signed_up = invoke_api(
        "POST", "/auth/sign-up", body={"email": "a\x1c@b.org", "password": "Aa1" * 5}, principal=None
    )
    assert_problem(signed_up, (422,), "body.email", "control character in an email")


def test_the_document_says_what_text_parameters_refuse():
    documented: set[str] = set()
    for route, operation in OPERATIONS:
        for parameter in operation.get("parameters", []):
            options = parameter["schema"].get("anyOf", [parameter["schema"]])
            for option in options:
                if option.get("type") == "string" and not ({"format", "enum", "$ref"} & set(option)):
                    assert option.get("pattern"), (route.route_key, parameter["name"])
                    documented.add(option["pattern"])
                if option.get("type") == "integer":
                    assert option.get("format") == "int64", (route.route_key, parameter["name"])
    assert SINGLE_LINE_PATTERN in documented

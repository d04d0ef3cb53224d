"""What the local gateway does with what a client can send that no route names plainly: any method
token (TRACE, CONNECT, lower-case), percent-encoded and dot-segment paths, trailing slashes, odd
request targets. It answers as API Gateway does: the route whose method and decoded path match,
else the catch-all function's 404 or 405, never a route the spelling only resembles."""

from __future__ import annotations

import json

import pytest

from fip_core.catch_all import RouteCatalogue, catch_all_answer
from local_platform.gateway import BAD_REQUEST, gateway_path
from tests.unit.test_local_platform_gateway import SHOP, RecordingFunction, gateway, problem

# Live captures of an HTTP API's `$default` route (hotsock/voker, vokerhttp/testdata/ingress-paths.json):
# the path sent, and the rawPath the function received (None: the HTTP API answered 400).
CAPTURED = [
    ("/capture/plain", "/capture/plain"),
    ("/capture/space%20value", "/capture/space value"),
    ("/capture/question%3Fvalue", "/capture/question"),
    ("/capture/percent%25done", None),
    ("/capture/hash%23value", "/capture/hash#value"),
    ("/capture/slash%2Fvalue", "/capture/slash/value"),
    ("/capture/unicode-%CE%BB-%E4%B8%96%E7%95%8C", "/capture/unicode-λ-世界"),
    ("/capture/literal%252Fvalue", "/capture/literal/value"),
    ("/capture/literal%253Fvalue", "/capture/literal?value"),
    ("/capture/literal%2525value", "/capture/literal%value"),
]


@pytest.mark.parametrize(("sent", "received"), CAPTURED)
def test_paths_are_decoded_as_a_live_http_api_decodes_them(sent: str, received: str | None) -> None:
    assert gateway_path(sent) == received


@pytest.mark.parametrize("sent", ["/items/%zz", "/items/100%", "/items/%FF"])
def test_malformed_escapes_are_400_and_reach_nothing(sent: str) -> None:
    function = RecordingFunction()
    assert gateway(function).handle("GET", sent, [], b"") is BAD_REQUEST
    assert function.calls == []


@pytest.mark.parametrize("method", ["post", "Get", "TRACE", "CONNECT", "PUT"])
def test_a_method_is_matched_exactly_as_sent(method: str) -> None:
    allowed = "GET, POST"
    function = RecordingFunction()
    response = gateway(function).handle(method, "/items", [], b"{}")
    assert response.status == 405
    assert response.header("Allow") == allowed
    assert problem(response)["detail"] == f"/items does not answer {method}; it answers {allowed}"
    assert function.calls == [], "no route runs for a method no route declares"


def test_a_trailing_slash_reaches_the_route_and_the_function_sees_it() -> None:
    function = RecordingFunction()
    assert gateway(function).handle("GET", "/items/7/", [], b"").status == 200
    assert function.event["routeKey"] == "GET /items/{item_id}"
    assert function.event["pathParameters"] == {"item_id": "7"}
    assert function.event["rawPath"] == "/items/7/"


@pytest.mark.parametrize(
    ("target", "route_key", "parameters"),
    [
        ("/items/%73pecial", "GET /items/special", None),  # decoded first, so the literal route takes it
        ("/items/caf%C3%A9", "GET /items/{item_id}", {"item_id": "café"}),
        ("/items/%2e%2e", "GET /items/{item_id}", {"item_id": ".."}),  # a dot segment is only a value
        ("/items%3Fsecret", "GET /items", None),  # an encoded `?` ends the path, as in the cloud
        ("http://localhost:8000/items?a=1", "GET /items", None),  # the absolute form of a target
    ],
)
def test_encoded_paths_reach_the_route_of_their_decoded_form(target, route_key, parameters) -> None:
    function = RecordingFunction()
    assert gateway(function).handle("GET", target, [], b"").status == 200
    assert function.event["routeKey"] == route_key
    assert function.event.get("pathParameters") == parameters


@pytest.mark.parametrize(
    "target", ["/items/../items", "/items/7/../..", "/items/a%2Fb", "//items", "/items//", "/items/7/x", "/"]
)
def test_paths_no_route_has_are_the_catch_all_404(target: str) -> None:
    function = RecordingFunction()
    response = gateway(function).handle("GET", target, [], b"")
    assert response.status == 404, target
    assert problem(response)["title"] == "Not found"
    assert function.calls == []


@pytest.mark.parametrize("target", ["*", "localhost:8000", "items"])
def test_a_target_that_is_not_a_path_is_400(target: str) -> None:
    assert gateway(RecordingFunction()).handle("OPTIONS", target, [], b"") is BAD_REQUEST


def test_the_gateway_answers_what_the_catch_all_function_answers() -> None:
    catalogue = RouteCatalogue.of(SHOP.routes)
    for method, path in [("TRACE", "/items/7"), ("GET", "/nothing"), ("post", "/items")]:
        expected = catch_all_answer(catalogue, method, path)
        response = gateway(RecordingFunction()).handle(method, path, [], b"")
        assert response.status == expected["statusCode"]
        assert json.loads(response.body) == json.loads(expected["body"])
        assert response.header("Allow") == expected["headers"].get("Allow")


def test_the_catalogue_survives_its_json_form() -> None:
    catalogue = RouteCatalogue.of(SHOP.routes)
    assert RouteCatalogue.from_json(catalogue.to_json()) == catalogue
    assert catalogue.allowed_methods("/items/anything") == ["DELETE", "GET"]
    assert catalogue.allowed_methods("/items/special/") == ["DELETE", "GET"]
    assert catalogue.allowed_methods("/items//") == []

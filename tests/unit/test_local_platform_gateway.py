"""The local gateway's logic without a socket: routing to the API function as API Gateway would,
and turning the function's answer into an HTTP response."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from fip_core.access import Access
from fip_core.declaration import DomainDeclaration, FunctionDeclaration, HttpRoute
from local_platform.docs import SwaggerUi
from local_platform.gateway import (
    MAX_BODY_BYTES,
    Gateway,
    GatewayResponse,
    MalformedResultError,
    event_body,
    joined_headers,
    lambda_result_response,
    too_large_response,
)
from local_platform.routing import RouteMatch, RouteTable

SHOP = DomainDeclaration(
    name="shop",
    functions=(
        FunctionDeclaration(name="api", handler="shop.api.handler", description="api"),
        FunctionDeclaration(name="migrate", handler="shop.migrate.handler", description="migrate"),
    ),
    api_function="api",
    migrations_function="migrate",
    routes=(
        HttpRoute("GET", "/items", Access.PUBLIC),
        HttpRoute("POST", "/items", Access.PUBLIC),
        HttpRoute("GET", "/items/{item_id}", Access.PUBLIC),
        HttpRoute("GET", "/items/special", Access.PUBLIC),
        HttpRoute("DELETE", "/items/{item_id}", Access.PUBLIC),
    ),
)
OPENAPI = {"openapi": "3.1.0", "paths": {"/items": {}}}


class RecordingFunction:
    """Stands in for the API function: remembers the events and answers what it is told to."""

    def __init__(self, answer: Any = None, error: Exception | None = None) -> None:
        self.answer = answer if answer is not None else {"statusCode": 200, "body": "{}"}
        self.error = error
        self.calls: list[tuple[RouteMatch, dict[str, Any]]] = []

    def __call__(self, match: RouteMatch, event: dict[str, Any]) -> Any:
        self.calls.append((match, event))
        if self.error is not None:
            raise self.error
        return self.answer

    @property
    def event(self) -> dict[str, Any]:
        return self.calls[-1][1]


def gateway(function: RecordingFunction) -> Gateway:
    return Gateway(RouteTable((SHOP,)), function, lambda: OPENAPI, SwaggerUi("Shop API"))


def problem(response: GatewayResponse) -> dict[str, Any]:
    assert response.header("Content-Type") == "application/problem+json"
    body: dict[str, Any] = json.loads(response.body)
    return body


# --- from a function's answer to an HTTP response ------------------------------------------------


def test_answer_with_headers_cookies_and_body() -> None:
    response = lambda_result_response(
        {
            "statusCode": 201,
            "headers": {"Content-Type": "application/json", "Location": "/items/1", "X-Count": 3},
            "multiValueHeaders": {"Vary": ["Accept", "Origin"]},
            "cookies": ["a=1; Path=/", "b=2"],
            "body": '{"id": 1}',
            "isBase64Encoded": False,
        }
    )
    assert response.status == 201
    assert response.body == b'{"id": 1}'
    assert ("Location", "/items/1") in response.headers
    assert ("X-Count", "3") in response.headers
    assert [value for name, value in response.headers if name == "Vary"] == ["Accept", "Origin"]
    assert [value for name, value in response.headers if name == "Set-Cookie"] == ["a=1; Path=/", "b=2"]


def test_base64_body_is_decoded() -> None:
    payload = bytes(range(256))
    response = lambda_result_response(
        {"statusCode": 200, "body": base64.b64encode(payload).decode(), "isBase64Encoded": True}
    )
    assert response.body == payload


def test_no_body_and_hop_by_hop_headers_dropped() -> None:
    response = lambda_result_response(
        {"statusCode": 204, "headers": {"Content-Length": "99", "Connection": "keep-alive", "X-A": "b"}}
    )
    assert response.body == b""
    assert response.headers == [("X-A", "b")]


@pytest.mark.parametrize("answer", [{"items": [1, 2]}, ["a", "b"], "text", 7])
def test_answer_without_status_code_is_sent_as_json(answer: Any) -> None:
    response = lambda_result_response(answer)
    assert response.status == 200
    assert response.header("content-type") == "application/json"
    assert json.loads(response.body) == answer


@pytest.mark.parametrize(
    "answer",
    [
        {"statusCode": "abc"},
        {"statusCode": 700},
        {"statusCode": 200, "body": {"not": "a string"}},
        {"statusCode": 200, "body": "***", "isBase64Encoded": True},
    ],
)
def test_malformed_answer_is_refused(answer: dict[str, Any]) -> None:
    with pytest.raises(MalformedResultError):
        lambda_result_response(answer)


# --- from an HTTP request to a payload 2.0 event -------------------------------------------------


def test_request_becomes_an_http_api_event_for_the_matched_route() -> None:
    function = RecordingFunction()
    response = gateway(function).handle(
        "GET",
        "/items/caf%C3%A9?tag=a&tag=b&empty=",
        [("Host", "localhost:8000"), ("X-Trace", "1"), ("x-trace", "2")],
        b"",
    )
    assert response.status == 200
    match, event = function.calls[0]
    assert match.domain is SHOP
    assert event["routeKey"] == "GET /items/{item_id}"
    assert event["requestContext"]["routeKey"] == "GET /items/{item_id}"
    assert event["rawPath"] == "/items/café"
    assert event["pathParameters"] == {"item_id": "café"}
    assert event["rawQueryString"] == "tag=a&tag=b&empty="
    assert event["queryStringParameters"] == {"tag": "a,b", "empty": ""}
    assert event["headers"]["x-trace"] == "1,2"
    assert event["requestContext"]["domainName"] == "localhost:8000"
    assert "body" not in event


def test_literal_route_beats_parameter_route() -> None:
    function = RecordingFunction()
    gateway(function).handle("GET", "/items/special", [], b"")
    assert function.event["routeKey"] == "GET /items/special"
    assert "pathParameters" not in function.event


def test_json_body_is_passed_as_text_and_binary_as_base64() -> None:
    function = RecordingFunction()
    shop = gateway(function)
    shop.handle("POST", "/items", [("Content-Type", "application/json; charset=utf-8")], b'{"name": "x"}')
    assert function.event["body"] == '{"name": "x"}'
    assert function.event["isBase64Encoded"] is False
    shop.handle("POST", "/items", [("Content-Type", "application/octet-stream")], b"\x00\xff")
    assert function.event["isBase64Encoded"] is True
    assert base64.b64decode(function.event["body"]) == b"\x00\xff"


def test_event_body_and_headers_helpers() -> None:
    assert event_body(b"", "application/json") is None
    assert event_body(b"a=1", "application/x-www-form-urlencoded") == "a=1"
    assert event_body(b"\xff", "text/plain") == b"\xff"
    assert event_body(b"x", None) == b"x"
    assert joined_headers([("A", "1"), ("a", "2"), ("B", "3")]) == {"a": "1,2", "b": "3"}


# --- what the gateway answers itself -------------------------------------------------------------


def test_unknown_path_is_404_problem() -> None:
    function = RecordingFunction()
    response = gateway(function).handle("GET", "/x?y=1", [], b"")
    assert response.status == 404
    assert problem(response) == {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": "no route GET /x; the API is described at /openapi.json",
    }
    assert function.calls == []


def test_known_path_with_other_method_is_405_with_allow() -> None:
    response = gateway(RecordingFunction()).handle("PUT", "/items/7", [], b"")
    assert response.status == 405
    assert response.header("Allow") == "DELETE, GET"
    assert problem(response)["status"] == 405


def test_failing_function_is_502_problem(caplog: pytest.LogCaptureFixture) -> None:
    response = gateway(RecordingFunction(error=RuntimeError("boom"))).handle("GET", "/items", [], b"")
    assert response.status == 502
    body = problem(response)
    assert body["title"] == "Internal Server Error"
    assert "shop-api" in body["detail"]
    assert caplog.records[-1].exc_info is not None, "the traceback goes to the console"


def test_malformed_answer_is_502() -> None:
    response = gateway(RecordingFunction(answer={"statusCode": "x"})).handle("GET", "/items", [], b"")
    assert response.status == 502


def test_too_large_body_is_413_problem() -> None:
    response = too_large_response(MAX_BODY_BYTES + 1)
    assert response.status == 413
    assert problem(response)["status"] == 413


def test_openapi_document_and_docs_pages() -> None:
    shop = gateway(RecordingFunction())
    document = shop.handle("GET", "/openapi.json", [], b"")
    assert document.status == 200
    assert json.loads(document.body) == OPENAPI
    for path in ("/docs", "/docs/"):
        page = shop.handle("GET", path, [], b"")
        assert page.status == 200
        assert page.header("Content-Type") == "text/html; charset=utf-8"
        assert b"/openapi.json" in page.body
    script = shop.handle("GET", "/docs/static/swagger-ui-bundle.js", [], b"")
    assert script.status == 200
    assert script.header("Content-Type") == "application/javascript; charset=utf-8"
    assert shop.handle("POST", "/openapi.json", [], b"").status == 405


@pytest.mark.parametrize("name", ["nothing.js", "../__init__.py", "..%2F__init__.py", ""])
def test_docs_serve_only_the_bundled_files(name: str) -> None:
    assert gateway(RecordingFunction()).handle("GET", f"/docs/static/{name}", [], b"").status == 404


def test_a_204_goes_out_without_content_and_the_connection_stays_in_step() -> None:
    # a function that answers 204 with a body (API functions once did: `null`): the bytes must not
    # reach the connection, where a client would read them as the start of its next answer
    import http.client

    from local_platform.gateway import GatewayServer

    function = RecordingFunction({"statusCode": 204, "body": "null"})
    server = GatewayServer(gateway(function), 0, access_log=False)
    server.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        for _ in range(2):  # the second answer is read on the same connection
            connection.request("DELETE", "/items/7")
            answer = connection.getresponse()
            assert (answer.status, answer.read()) == (204, b"")
            assert answer.getheader("Content-Length") is None
        connection.close()
    finally:
        server.stop()
    assert len(function.calls) == 2

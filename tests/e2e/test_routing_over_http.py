"""The local platform over HTTP, fed what a client can send besides plain requests: every non-public
route without a token and with forged ones, any method token, percent-encoded and dot-segment paths,
trailing slashes and odd request targets. Sent on raw sockets, so that no client library tidies them."""

from __future__ import annotations

import base64
import json
import re
import socket
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from fip_core.access import Access
from infra.domains import DOMAINS
from tests.support.platform_process import RunningPlatform

pytestmark = pytest.mark.e2e

PROTECTED = [route for domain in DOMAINS for route in domain.routes if route.access is not Access.PUBLIC]
FORGED = {
    "garbage": "not-a-token",
    "alg_none": ".".join(
        base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()
        for part in ({"alg": "none", "typ": "JWT"}, {"sub": "admin", "token_use": "access"})
    )
    + ".",
    "api_token_shape": f"fip_{uuid.uuid4().hex}_{uuid.uuid4().hex}",
}


@dataclass(frozen=True)
class RawAnswer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def send(
    platform: RunningPlatform, method: str, target: str, headers: dict[str, str] | None = None, body: bytes = b"{}"
) -> RawAnswer:
    """One request, written byte for byte as given, and the answer."""
    port = int(platform.url.rsplit(":", 1)[1])
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", f"Content-Length: {len(body)}"]
    lines += ["Content-Type: application/json", *(f"{name}: {value}" for name, value in (headers or {}).items())]
    with socket.create_connection(("127.0.0.1", port), timeout=20) as connection:
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parsed = dict(line.split(": ", 1) for line in header_lines)
    return RawAnswer(int(status_line.split()[1]), {k.lower(): v for k, v in parsed.items()}, body)


def concrete(path: str) -> str:
    return re.sub(r"\{\w+\}", lambda _: str(uuid.uuid4()), path)


@pytest.mark.parametrize("route", PROTECTED, ids=[route.route_key for route in PROTECTED])
def test_every_non_public_route_is_401_without_a_token_and_403_with_a_forged_one(platform, route):
    path = concrete(route.path)
    for target in (path, f"{path}/"):
        assert send(platform, route.method, target).status == 401, target
        assert send(platform, route.method, target, {"Authorization": ""}).status == 401, target
        for name, token in FORGED.items():
            answer = send(platform, route.method, target, {"Authorization": f"Bearer {token}"})
            assert answer.status == 403, (target, name, answer.body)
            assert answer.json() == {"message": "Forbidden"}


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "post", "Get", "PROPFIND"])
def test_any_method_token_gets_the_platforms_problem_json(platform, admin, method):
    answer = send(platform, method, "/services", admin)
    assert answer.status == 405
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["allow"] == "GET, POST"
    assert answer.json()["detail"] == f"/services does not answer {method}; it answers GET, POST"


def test_a_lower_case_method_never_reaches_the_route_it_resembles(platform, admin, listener):
    probe = {"base_url": f"http://127.0.0.1:{listener.getsockname()[1]}", "api_type": "michigan"}
    answer = send(platform, "post", "/services/test-connection", admin, json.dumps(probe).encode())
    assert answer.status == 405
    with pytest.raises(BlockingIOError):
        listener.accept()


@pytest.mark.parametrize(
    ("target", "status"),
    [
        ("/services/test%2Dconnection", 401),  # decoded first: the real route, behind the authorizer
        ("/serv%69ces", 401),
        ("/services%3Fsecret=1", 401),  # an encoded `?` ends the path
        ("/me/../users", 404),  # dot segments are not resolved, and `..` is no route of its own
        ("/me/%2e%2e/users", 404),
        ("/services/%2e%2e", 401),  # `..` as a {service_id} is for the route to refuse, after the authorizer
        # http.server folds leading slashes (against open redirects); whether API Gateway does is not
        # documented, and either way the path reaches the route only through its authorizer
        ("//services", 401),
        ("/services//", 404),
        ("/services/%zz", 400),
        ("/services/%25zz", 400),
        ("*", 400),
    ],
)
def test_encoded_and_dot_segment_paths_reach_a_route_only_through_its_authorizer(platform, target, status):
    answer = send(platform, "GET", target)
    assert answer.status == status, (target, answer.body)
    if status == 404:
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["title"] == "Not found"


def test_a_trailing_slash_is_the_same_route(platform, admin):
    assert send(platform, "GET", "/services/").status == 401
    answer = httpx.get(f"{platform.url}/services/", headers=admin)
    assert answer.status_code == 200
    assert "items" in answer.json()

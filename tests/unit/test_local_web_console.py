"""The web console at `/` of the local gateway: the built files only (nothing joined from a request),
with the same content security policy and security headers CloudFront sends in the cloud; the API's
routes untouched; a console that is not built says how to build it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra.web_policy import content_security_policy
from local_platform.docs import SwaggerUi
from local_platform.gateway import Gateway
from local_platform.routing import RouteTable
from local_platform.web_console import WebConsole

STORAGE = "http://127.0.0.1:5999"


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text('<!doctype html><script type="module" src="/assets/app-1.js"></script>')
    (tmp_path / "assets" / "app-1.js").write_text("console.log(1)")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    (tmp_path.parent / "secret.txt").write_text("not the console's")
    return tmp_path


def gateway(web: WebConsole) -> Gateway:
    def no_function(*_args: Any) -> Any:
        raise AssertionError("no function is called for the console's files")

    return Gateway(RouteTable(()), no_function, dict, SwaggerUi("x"), None, lambda: None, web)


def test_the_console_is_served_at_the_root_with_the_strict_policy(dist: Path) -> None:
    console = gateway(WebConsole(dist, lambda: (STORAGE,)))
    for path in ("/", "/index.html"):
        answer = console.handle("GET", path, [], b"")
        assert answer.status == 200
        assert answer.body == (dist / "index.html").read_bytes()
        assert answer.header("Content-Type") == "text/html; charset=utf-8"
        assert answer.header("Cache-Control") == "no-cache"
        policy = answer.header("Content-Security-Policy")
        assert policy == content_security_policy((STORAGE,), https=False)
        assert "script-src 'self';" in policy
        assert f"connect-src 'self' {STORAGE};" in policy
        assert "unsafe" not in policy
        assert answer.header("X-Frame-Options") == "DENY"
        assert answer.header("X-Content-Type-Options") == "nosniff"
        assert answer.header("Strict-Transport-Security") is None  # plain HTTP on loopback
    script = console.handle("GET", "/assets/app-1.js", [], b"")
    assert (script.status, script.body) == (200, b"console.log(1)")
    assert script.header("Content-Type") == "text/javascript; charset=utf-8"
    assert script.header("Cache-Control") == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("path", ["/assets/missing.js", "/assets/../../secret.txt", "/assets/%2e%2e/secret.txt"])
def test_only_the_built_files_are_answered(dist: Path, path: str) -> None:
    answer = gateway(WebConsole(dist, lambda: ())).handle("GET", path, [], b"")
    assert answer.status in (400, 404)
    assert b"not the console's" not in answer.body


def test_only_get_is_answered(dist: Path) -> None:
    answer = gateway(WebConsole(dist, lambda: ())).handle("POST", "/", [], b"")
    assert answer.status == 405
    assert answer.header("Allow") == "GET"


def test_a_console_not_built_says_how_to_build_it(tmp_path: Path) -> None:
    answer = gateway(WebConsole(tmp_path / "dist", lambda: ())).handle("GET", "/", [], b"")
    assert answer.status == 404
    assert "make web" in json.loads(answer.body)["detail"]


def test_the_api_keeps_every_other_path(dist: Path) -> None:
    # no declared route here: what the console does not serve goes to the catch-all, as in the cloud
    answer = gateway(WebConsole(dist, lambda: ())).handle("GET", "/files", [], b"")
    assert answer.status == 404
    assert "no route GET /files" in json.loads(answer.body)["detail"]

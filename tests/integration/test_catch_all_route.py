"""What API Gateway sends to `$default` (no authorizer) is never served, a declared route key runs
exactly the route function registered for it, whatever method spelling or path the event carries.

In-process, on every declared path: each domain's API handler answers `$default` with a 404 and runs
nothing, for an anonymous caller and an admin alike; the catch-all function, which is what `$default`
reaches in the cloud, answers 405 naming the declared methods (or 404) and nothing else. Through the
in-process authorizer, every non-public route is 401 without a token and 403 with a forged one."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest

from fip_core import catch_all
from fip_core.access import Access
from fip_core.http import RouteKeyResolver
from infra.domains import DOMAINS
from local_platform.events import http_api_event, lambda_context
from local_platform.lambdas import import_handler
from tests.support.api import TEST_ADMIN, invoke_api

ROUTES = [(domain, route) for domain in DOMAINS for route in domain.routes]
IDS = [route.route_key for _, route in ROUTES]


def concrete(path: str) -> str:
    return re.sub(r"\{\w+\}", lambda _: str(uuid.uuid4()), path)


def api_handler_of(domain: Any) -> Any:
    return import_handler(domain.function(domain.api_function).handler)


def answer_of(result: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    return result["statusCode"], json.loads(result["body"])


def snapshot() -> str:
    services = invoke_api("GET", "/services", query={"limit": "500"}).body
    return json.dumps([services, invoke_api("GET", "/users").body["total"]], sort_keys=True)


@pytest.mark.usefixtures("platform")
@pytest.mark.parametrize(("domain", "route"), ROUTES, ids=IDS)
def test_default_is_404_on_every_declared_path_and_runs_nothing(domain, route, listener):
    before = snapshot()
    body = {"base_url": f"http://127.0.0.1:{listener.getsockname()[1]}", "api_type": "michigan", "name": "x"}
    for principal in (None, TEST_ADMIN):
        event = http_api_event(
            route.method,
            concrete(route.path),
            route_key="$default",
            body=body if route.method in ("POST", "PUT", "PATCH") else None,
            headers={"authorization": "Bearer forged"},
            authorizer={"lambda": principal.to_context()} if principal else None,
        )
        status, problem = answer_of(api_handler_of(domain)(event, lambda_context()))
        assert status == 404, (route.route_key, principal, problem)
        assert problem["title"] == "Not found"
    with pytest.raises(BlockingIOError):
        listener.accept()  # test-connection and check-now never probed
    assert snapshot() == before, "nothing was written"


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda domain: domain.name)
def test_a_declared_route_key_runs_its_own_function_whatever_the_event_says(domain, monkeypatch):
    chosen: list[str] = []

    def record(resolver: RouteKeyResolver, route: Any, arguments: dict[str, str]) -> Any:
        chosen.append(f"{route.method} {route.openapi_path}")
        raise LookupError("recorded")  # stop before the route runs

    monkeypatch.setattr(RouteKeyResolver, "_call_route", record)
    handler = api_handler_of(domain)
    misleading = [route.path for route in domain.routes]
    for index, route in enumerate(domain.routes):
        # another route's path, the method in lower case: the route key alone decides
        event = http_api_event(
            route.method.lower(),
            misleading[(index + 1) % len(misleading)],
            route_key=route.route_key,
            path_parameters=dict.fromkeys(re.findall(r"\{(\w+)\}", route.path), "x"),
            authorizer={"lambda": TEST_ADMIN.to_context()},
        )
        with pytest.raises(LookupError, match="recorded"):
            handler(event, lambda_context())
        assert chosen[-1] == route.route_key
    assert len(set(chosen)) == len(domain.routes), "every route key reached a function of its own"


@pytest.fixture
def catch_all_function(tmp_path, monkeypatch):
    """The catch-all function as Lambda runs it: its catalogue in the code's root."""
    catalogue = catch_all.RouteCatalogue.of(route for _, route in ROUTES)
    (tmp_path / catch_all.CATALOGUE_FILE).write_text(catalogue.to_json())
    monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path))
    catch_all._catalogue.cache_clear()  # noqa: SLF001 -- read afresh from this root
    yield catch_all.handler
    catch_all._catalogue.cache_clear()  # noqa: SLF001


@pytest.mark.parametrize(("domain", "route"), ROUTES, ids=IDS)
def test_the_catch_all_answers_every_declared_path_without_serving_it(domain, route, catch_all_function):
    path = concrete(route.path)
    for method in ("TRACE", route.method.lower(), "CONNECT"):
        event = http_api_event(method, path, route_key="$default", headers={"authorization": "Bearer forged"})
        result = catch_all_function(event, lambda_context("platform-catch-all"))
        status, problem = answer_of(result)
        assert status == 405, (method, path, problem)
        assert route.method in result["headers"]["Allow"].split(", ")
        assert problem["detail"].startswith(f"{path} does not answer {method}")
    for unknown in (f"{path}/no/such/thing", f"/x{path}", path.replace("/", "//", 1)):
        status, problem = answer_of(catch_all_function(http_api_event("GET", unknown), lambda_context()))
        assert status == 404, (unknown, problem)


PROTECTED = [route for _, route in ROUTES if route.access is not Access.PUBLIC]


@pytest.mark.usefixtures("platform")
@pytest.mark.parametrize("route", PROTECTED, ids=[route.route_key for route in PROTECTED])
def test_in_process_every_non_public_route_is_401_without_a_token_and_403_with_a_forged_one(route):
    path = concrete(route.path)
    assert invoke_api(route.method, path, token="").status == 401
    for forged in (
        "garbage",
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.",
        f"fip_{uuid.uuid4().hex}_{uuid.uuid4().hex}",
    ):
        answer = invoke_api(route.method, path, token=forged)
        assert answer.status == 403, (forged, answer.body)

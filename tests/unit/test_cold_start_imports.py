"""What a cold start imports: each function's handler module loads its code when first invoked, an API
function loads only the module of the route asked for, no tracing SDK is ever loaded, and the route
table of each API function is its declaration's. Timing is for bench/cold_start.py; these check what
is imported, in fresh interpreters."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from typing import Any

import pytest

from bench.cold_start import LAMBDA_ENVIRONMENT, declared_functions
from infra.domains import DOMAINS
from local_platform.config import REPO_ROOT

# what no handler module may load on import: the data access, the resolver, the models, the tracing SDK
HEAVY = ("sqlalchemy", "fip_core.http", "aws_lambda_powertools.event_handler", "pydantic.main", "aws_xray_sdk")
API_MODULES = [domain.function(domain.api_function).handler.rpartition(".")[0] for domain in DOMAINS]


def _run(code: str) -> Any:
    """Run code in a fresh interpreter, with the environment Lambda gives, and read the JSON it prints."""
    answer = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
        env={"PATH": "/usr/bin:/bin", **LAMBDA_ENVIRONMENT, "AWS_ENDPOINT_URL": "http://127.0.0.1:9"},
    )
    return json.loads(answer.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("function", declared_functions(), ids=lambda function: function.name)
def test_a_handler_module_imports_none_of_what_its_invocations_run(function):
    loaded = _run(f"import json, sys\n{function.code}\nprint(json.dumps(sorted(sys.modules)))")
    heavy = [name for name in loaded if str(name).startswith(HEAVY)]
    # the catch-all answers with a pydantic problem and reads its settings with pydantic: nothing else
    allowed = ("pydantic.main",) if function.name == "platform-catch-all" else ()
    assert [name for name in heavy if not str(name).startswith(allowed)] == []


@pytest.mark.parametrize("module", API_MODULES)
def test_an_api_function_loads_the_routes_of_the_request_and_no_others(module):
    # an undeclared route key loads nothing; a refused caller loads nothing; a request loads its module
    code = f"""
import json, sys, types
from local_platform.events import http_api_event
import {module} as api
context = types.SimpleNamespace(function_name="f", memory_limit_in_mb=128, aws_request_id="r",
    invoked_function_arn="arn:aws:lambda:eu-west-1:123456789012:function:f")
undeclared = api.handler(http_api_event("GET", "/nowhere", route_key="$default"), context)
loaded_after_404 = sorted(api.API.loaded_modules())
key = sorted(api.API.module_of)[0]
method, path = key.split(" ", 1)
refused = api.handler(http_api_event(method, path, route_key=key), context)
print(json.dumps({{"statuses": [undeclared["statusCode"], refused["statusCode"]], "after_404": loaded_after_404,
    "after_refusal": sorted(api.API.loaded_modules()), "xray": "aws_xray_sdk" in sys.modules}}))
"""
    found = _run(code)
    assert found["statuses"][0] == 404
    assert found["statuses"][1] in (401, 403, 422)  # anonymous, or a public route's unreadable body
    assert found["after_404"] == []
    assert found["after_refusal"] == []  # refused before the route's code is needed
    assert found["xray"] is False


def test_a_request_loads_the_module_of_its_route():
    code = """
import json, types
from fip_core.access import Principal
from local_platform.events import http_api_event
from registry.handlers import api
context = types.SimpleNamespace(function_name="f", memory_limit_in_mb=128, aws_request_id="r",
    invoked_function_arn="arn:aws:lambda:eu-west-1:123456789012:function:f")
caller = {"lambda": Principal(user_id="u", method="cognito").to_context()}
key = "GET /ga4gh/registry/v1/service-info"
answer = api.handler(http_api_event("GET", key.split()[1], route_key=key, authorizer=caller), context)
print(json.dumps({"status": answer["statusCode"], "loaded": sorted(api.API.loaded_modules())}))
"""
    assert _run(code) == {"status": 200, "loaded": ["registry.handlers.routes.ga4gh"]}


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda d: d.name)
def test_an_api_functions_route_table_is_its_declaration_and_each_module_registers_its_routes(domain):
    module = importlib.import_module(domain.function(domain.api_function).handler.rpartition(".")[0])
    table = module.API.route_modules
    assert sorted(key for keys in table.values() for key in keys) == sorted(r.route_key for r in domain.routes)
    for route_module, keys in table.items():
        router = importlib.import_module(route_module).router
        routes = router._routes  # noqa: SLF001 - what the router will hand the resolver
        registered = {f"{method} {path}".replace("<", "{").replace(">", "}") for path, (method,), *_ in routes}
        assert registered == set(keys), route_module

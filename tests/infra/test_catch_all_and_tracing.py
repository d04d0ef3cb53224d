"""What reaches what without a token, and what traces may record.

`$default` (no authorizer) reaches only the platform's catch-all function, which has no VPC, database,
domain code or permission beyond its own logs and traces; every other route without the authorizer is
a declared public route. No function records its responses in X-Ray."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fip_core.access import Access
from fip_core.catch_all import CATALOGUE_FILE, RouteCatalogue
from infra.bundling import build_catch_all_code
from infra.constants import BUILD_DIR
from infra.domains import DOMAINS
from infra.stack import CATCH_ALL_FUNCTION
from tests.infra.template import Synthesised, arn, integration_function, may_invoke, ref

pytestmark = pytest.mark.infra

PUBLIC = {route.route_key for domain in DOMAINS for route in domain.routes if route.access is Access.PUBLIC}
# what the catch-all's role may do: write its own logs, and send traces
CATCH_ALL_ACTIONS = {"logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTraceSegments", "xray:PutTelemetryRecords"}


def _routes(platform: Synthesised) -> list[dict[str, Any]]:
    return [route["Properties"] for route in platform.of_type("AWS::ApiGatewayV2::Route").values()]


def _catch_all(platform: Synthesised) -> tuple[str, dict[str, Any]]:
    logical_id = platform.id_of(platform.stack.catch_all.function)
    return logical_id, platform.resources[logical_id]["Properties"]


def test_default_reaches_only_the_catch_all_function(platform):
    catch_all, _ = _catch_all(platform)
    assert integration_function(platform, "$default") == catch_all
    assert may_invoke(platform, catch_all, "$default/$default")
    for domain in DOMAINS:
        api_function = platform.id_of(platform.service(domain).function(domain.api_function))
        assert not may_invoke(platform, api_function, "$default/$default"), domain.name


def test_no_route_without_the_authorizer_reaches_a_domain_function_but_the_declared_public_ones(platform):
    catch_all, _ = _catch_all(platform)
    open_routes = {route["RouteKey"] for route in _routes(platform) if route.get("AuthorizationType", "NONE") == "NONE"}
    assert open_routes == PUBLIC | {"$default"}
    for route_key in PUBLIC:
        assert integration_function(platform, route_key) != catch_all
    domain_functions = {
        platform.id_of(built.function) for s in platform.stack.domains.values() for built in s.functions.values()
    }
    assert catch_all not in domain_functions


def test_the_catch_all_function_has_no_vpc_no_domain_code_and_no_permissions_but_logs_and_traces(platform):
    _, function = _catch_all(platform)
    assert "VpcConfig" not in function
    assert function["Handler"] == CATCH_ALL_FUNCTION.handler == "fip_core.catch_all.handler"
    assert function["Layers"] == [ref(platform.id_of(layer)) for layer in platform.stack.layers.all]
    variables = function["Environment"]["Variables"]
    assert not [name for name in variables if "DATABASE" in name or "SECRET" in name or "BUS" in name]
    role = function["Role"]["Fn::GetAtt"][0]
    statements = [
        statement
        for policy in platform.of_type("AWS::IAM::Policy").values()
        if ref(role) in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    actions = {action for statement in statements for action in _as_list(statement["Action"])}
    assert actions <= CATCH_ALL_ACTIONS, actions
    log_group = platform.id_of(platform.stack.catch_all.log_group)
    logs = [statement for statement in statements if "logs:PutLogEvents" in _as_list(statement["Action"])]
    assert [statement["Resource"] for statement in logs] == [arn(log_group)]
    assert not platform.of_type("AWS::IAM::Role")[role]["Properties"].get("ManagedPolicyArns")


def test_the_default_route_acknowledgement_says_what_is_behind_it(platform):
    route = next(
        resource
        for resource in platform.of_type("AWS::ApiGatewayV2::Route").values()
        if resource["Properties"]["RouteKey"] == "$default"
    )
    reasons = [
        rule["reason"]
        for rule in route["Metadata"]["cdk_nag"]["rules_to_suppress"]
        if rule["id"] == "AwsSolutions-APIG4"
    ]
    assert len(reasons) == 1
    # each claim of the reason is checked by the tests above
    for claim in ("catch-all function", "outside the VPC", "no database", "no domain code", "404", "405"):
        assert claim in reasons[0], claim


def test_the_catalogue_the_catch_all_reads_is_every_declared_route(tmp_path: Path):
    built = build_catch_all_code(DOMAINS, tmp_path)
    catalogue = RouteCatalogue.from_json((built / CATALOGUE_FILE).read_text())
    declared = {route.route_key for domain in DOMAINS for route in domain.routes}
    assert {f"{method} /{'/'.join(parts)}" for method, parts in catalogue.routes} == declared
    # the asset the template names is the one built for these domains
    synthesised = (BUILD_DIR / "functions" / "platform-catch-all" / CATALOGUE_FILE).read_text()
    assert json.loads(synthesised) == json.loads(catalogue.to_json())


def test_no_function_records_its_responses_in_traces(platform):
    functions = platform.of_type("AWS::Lambda::Function")
    assert len(functions) > sum(len(domain.functions) for domain in DOMAINS), "the catch-all and CDK's own count too"
    for logical_id, function in functions.items():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "false", logical_id
        # nor logs its events (bodies with passwords) or runs the resolver in debug mode (tracebacks in answers)
        for verbose in ("POWERTOOLS_LOGGER_LOG_EVENT", "POWERTOOLS_EVENT_HANDLER_DEBUG", "POWERTOOLS_DEV"):
            assert verbose not in variables, (logical_id, verbose)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]

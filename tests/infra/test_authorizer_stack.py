"""The HTTP API's one Lambda authorizer, which routes go through it, and the internal functions that
nothing but IAM invokes."""

from __future__ import annotations

import json

import pytest

from fip_core.access import Access
from infra.constants import FUNCTIONS_DIR
from infra.domains import DOMAINS
from tests.infra.template import (
    arn,
    each_domain,
    function_id_of_uri,
    ref,
    route_properties,
    the_authorizer,
)

pytestmark = pytest.mark.infra
AUTHORIZING = [domain for domain in DOMAINS if domain.authorizer_function is not None]


# --- the authorizer ------------------------------------------------------------------------------


def test_one_domain_declaresthe_authorizer():
    assert len(AUTHORIZING) == 1


def test_the_api_has_one_lambda_authorizer_with_simple_cached_decisions(platform):
    (domain,) = AUTHORIZING
    assert domain.authorizer_function is not None
    function = platform.id_of(platform.service(domain).function(domain.authorizer_function))
    _, authorizer = the_authorizer(platform)
    assert authorizer["ApiId"] == ref(platform.id_of(platform.stack.api.http_api))
    assert authorizer["AuthorizerType"] == "REQUEST"
    assert function_id_of_uri(authorizer["AuthorizerUri"]) == function
    # simple responses, `{"isAuthorized": ...}`, exist in payload format 2.0 only
    assert authorizer["EnableSimpleResponses"] is True
    assert authorizer["AuthorizerPayloadFormatVersion"] == "2.0"
    assert authorizer["IdentitySource"] == ["$request.header.Authorization"]
    assert authorizer["AuthorizerResultTtlInSeconds"] == domain.authorizer_cache_seconds == 60


def test_api_gateway_may_invoke_the_authorizer_function_as_the_authorizer_alone(platform):
    (domain,) = AUTHORIZING
    assert domain.authorizer_function is not None
    function = arn(platform.id_of(platform.service(domain).function(domain.authorizer_function)))
    authorizer_id, _ = the_authorizer(platform)
    permissions = [
        permission["Properties"]
        for permission in platform.of_type("AWS::Lambda::Permission").values()
        if permission["Properties"]["FunctionName"] == function
    ]
    assert len(permissions) == 1
    assert permissions[0]["Principal"] == "apigateway.amazonaws.com"
    source = permissions[0]["SourceArn"]["Fn::Join"][1]
    assert source[-3:] == [ref(platform.id_of(platform.stack.api.http_api)), "/authorizers/", ref(authorizer_id)]


def test_the_authorizer_reaches_the_pools_signing_keys_over_https_through_the_nat_gateway(platform):
    (domain,) = AUTHORIZING
    assert domain.authorizer_function is not None
    assert not domain.function(domain.authorizer_function).reaches_internet
    service = platform.service(domain)
    function = platform.resources[platform.id_of(service.function(domain.authorizer_function))]["Properties"]
    (nat_gateway,) = platform.of_type("AWS::EC2::NatGateway")
    default_routes = {
        json.dumps(route["Properties"]["RouteTableId"]): route["Properties"]
        for route in platform.of_type("AWS::EC2::Route").values()
        if route["Properties"].get("DestinationCidrBlock") == "0.0.0.0/0"
    }
    for subnet in platform.stack.network.vpc.private_subnets:
        assert ref(platform.id_of(subnet)) in function["VpcConfig"]["SubnetIds"]
        route_table = json.dumps(platform.stack.resolve(subnet.route_table.route_table_id))
        assert default_routes[route_table]["NatGatewayId"] == ref(nat_gateway)
    (group,) = function["VpcConfig"]["SecurityGroupIds"]
    egress = platform.resources[group["Fn::GetAtt"][0]]["Properties"]["SecurityGroupEgress"]
    assert any(
        rule["CidrIp"] == "0.0.0.0/0"
        and (rule["IpProtocol"] == "-1" or (rule["IpProtocol"] == "tcp" and rule["FromPort"] <= 443 <= rule["ToPort"]))
        for rule in egress
    )


@each_domain
def test_routes_that_are_not_public_go_through_the_authorizer_and_public_routes_do_not(platform, domain):
    authorizer_id, _ = the_authorizer(platform)
    for declared in domain.routes:
        route = route_properties(platform, declared.route_key)
        if declared.access is Access.PUBLIC:
            assert route.get("AuthorizationType", "NONE") == "NONE", declared.route_key
            assert "AuthorizerId" not in route, declared.route_key
        else:
            assert route["AuthorizationType"] == "CUSTOM", declared.route_key
            assert route["AuthorizerId"] == ref(authorizer_id), declared.route_key


def test_the_default_route_has_no_authorizer(platform):
    route = route_properties(platform, "$default")
    assert route.get("AuthorizationType", "NONE") == "NONE"
    assert "AuthorizerId" not in route


def test_only_public_routes_and_the_default_route_are_acknowledged_to_lack_an_authorizer(platform):
    public = {route.route_key for domain in DOMAINS for route in domain.routes if route.access is Access.PUBLIC}
    acknowledged = {
        route["Properties"]["RouteKey"]
        for route in platform.of_type("AWS::ApiGatewayV2::Route").values()
        if any(
            rule["id"] == "AwsSolutions-APIG4"
            for rule in route.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
        )
    }
    assert public, "the users domain declares public routes"
    assert acknowledged == public | {"$default"}


# --- internal functions --------------------------------------------------------------------------


def test_the_users_internal_functions_are_the_credentials_contacts_and_bootstrap_functions(platform):
    users = next(domain for domain in DOMAINS if domain.name == "users")
    internal = {built.declaration.name for built in platform.service(users).internal_functions}
    assert internal == {"credentials", "contacts", "bootstrap-admin"}


@each_domain
def test_internal_functions_are_stack_outputs_and_nothing_but_iam_invokes_them(platform, domain):
    outputs = platform.template.to_json()["Outputs"]
    permissions = [permission["Properties"] for permission in platform.of_type("AWS::Lambda::Permission").values()]
    rule_targets = [
        target["Arn"]
        for rule in platform.of_type("AWS::Events::Rule").values()
        for target in rule["Properties"]["Targets"]
    ]
    integrations = [
        integration["Properties"]["IntegrationUri"]
        for integration in platform.of_type("AWS::ApiGatewayV2::Integration").values()
    ]
    for built in platform.service(domain).internal_functions:
        function_id = platform.id_of(built.function)
        name = "".join(part.capitalize() for part in built.declaration.name.split("-"))
        assert outputs[f"{name}FunctionName"]["Value"] == ref(function_id)
        assert [p for p in permissions if p["FunctionName"] in (arn(function_id), ref(function_id))] == []
        assert arn(function_id) not in rule_targets
        assert arn(function_id) not in integrations


def test_the_bootstrap_function_name_is_the_output_its_docstring_names(platform):
    users = next(domain for domain in DOMAINS if domain.name == "users")
    assert users.bootstrap_function == "bootstrap-admin"
    docstring = (FUNCTIONS_DIR / "users" / "handlers" / "bootstrap.py").read_text()
    assert "--function-name <BootstrapAdminFunctionName>" in docstring
    assert "BootstrapAdminFunctionName" in platform.template.to_json()["Outputs"]

"""The synthesised platform stack has the properties that matter (the databases, profiles and
connection limits are in test_database_stack.py): every declared route, schedule and subscription wired to its
function; one authorizer on every route that is not public; the user pool and credentials key the
domains declare, each usable only by the functions that need it; pinned, traced functions with
least-privilege roles; and no unacknowledged cdk-nag finding.

Everything is checked for every domain of `infra.domains.DOMAINS`, so a new domain or route is
covered without a new test."""

from __future__ import annotations

import inspect
import json
import re
from typing import Any, ClassVar

import pytest
from aws_cdk import App, Stack, Token
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Match
from aws_cdk.cx_api import SynthesisMessageLevel

from fip_core.access import Access, Role
from fip_core.declaration import (
    DomainDeclaration,
    EventSubscription,
    FunctionDeclaration,
    HttpRoute,
    Resource,
    Schedule,
)
from fip_core.outbound.policy import OutboundSettings
from fip_core.platform_events import AuditRecorded, DomainEvent
from fip_core.settings import EVENT_BUS_NAME, METRICS_NAMESPACE, PlatformSettings, database_settings
from infra.app import build_app
from infra.bundling import PlatformAssets, prepare_assets
from infra.compliance import solutions_checks
from infra.constants import (
    ALARM_EMAIL_CONTEXT_KEY,
    CREDENTIALS_DECRYPTING_FUNCTION,
    FUNCTIONS_DIR,
    LAMBDA_RUNTIME,
    TRACER_ENVIRONMENT,
    USER_POOL_API_FUNCTION_ACTIONS,
    USER_POOL_AUTHORIZER_FUNCTION_ACTIONS,
    USER_POOL_BOOTSTRAP_FUNCTION_ACTIONS,
)
from infra.domains import DOMAINS
from infra.http_api import PlatformHttpApi
from infra.stack import PlatformStack
from tests.infra.template import (
    CDK_VARIABLES,
    Synthesised,
    arn,
    as_list,
    group_id,
    integration_function,
    may_invoke,
    ref,
    synthesise,
)
from users.adapters import cognito as cognito_adapter
from users.adapters.kms import CredentialCipher
from users.settings import PASSWORD_MIN_LENGTH, UsersSettings

pytestmark = pytest.mark.infra

ENVIRONMENT = "dev"
# The only actions a function's role may grant on every resource: they have no resource-level permissions.
WILDCARD_RESOURCE_ACTIONS = {
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
}


def _rate(minutes: int) -> str:
    return f"rate({minutes} {'minute' if minutes == 1 else 'minutes'})"


def _role_statements(platform: Synthesised, role_id: str) -> list[dict[str, Any]]:
    return [
        statement
        for policy in platform.of_type("AWS::IAM::Policy").values()
        if ref(role_id) in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _statements_naming(platform: Synthesised, resource: Any) -> list[tuple[list[Any], dict[str, Any]]]:
    """Every identity-policy statement in the template that names a resource (or every resource), with
    the roles its policy is attached to."""
    return [
        (policy["Properties"]["Roles"], statement)
        for policy in platform.of_type("AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if resource in as_list(statement["Resource"]) or "*" in as_list(statement["Resource"])
    ]


def _actions(statement: dict[str, Any], service: str) -> set[str]:
    return {action for action in as_list(statement["Action"]) if action.startswith(f"{service}:")}


def _route(platform: Synthesised, route_key: str) -> dict[str, Any]:
    routes: list[dict[str, Any]] = [
        route["Properties"]
        for route in platform.of_type("AWS::ApiGatewayV2::Route").values()
        if route["Properties"]["RouteKey"] == route_key
    ]
    assert len(routes) == 1, route_key
    return routes[0]


def _the_authorizer(platform: Synthesised) -> tuple[str, dict[str, Any]]:
    authorizers = platform.of_type("AWS::ApiGatewayV2::Authorizer")
    assert len(authorizers) == 1, "the platform has exactly one authorizer"
    logical_id, authorizer = next(iter(authorizers.items()))
    return logical_id, authorizer["Properties"]


def _function_id_of_uri(uri: dict[str, Any]) -> str:
    """The function a Lambda authorizer's or integration's invocation URI names."""
    return str(
        next(part for part in uri["Fn::Join"][1] if isinstance(part, dict) and "Fn::GetAtt" in part)["Fn::GetAtt"][0]
    )


def _declaring(resource: Resource) -> list[DomainDeclaration]:
    return [domain for domain in DOMAINS if resource in domain.resources]


domains = pytest.mark.parametrize("domain", DOMAINS, ids=lambda domain: domain.name)
with_user_pool = pytest.mark.parametrize("domain", _declaring(Resource.USER_POOL), ids=lambda domain: domain.name)
with_credentials_key = pytest.mark.parametrize(
    "domain", _declaring(Resource.CREDENTIALS_KEY), ids=lambda domain: domain.name
)
AUTHORIZING = [domain for domain in DOMAINS if domain.authorizer_function is not None]


# --- the whole app -------------------------------------------------------------------------------


def test_no_unacknowledged_cdk_nag_finding(platform):
    report = solutions_checks().validate_scope(platform.stack)
    findings = [
        f"{violation.rule_name} at {[resource.construct_path for resource in violation.violating_resources]}"
        for violation in report.violations
    ]
    assert report.success, "\n".join(findings)


def test_every_acknowledged_finding_has_a_written_reason(platform):
    acknowledged = [
        rule
        for resource in platform.resources.values()
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
        if rule["id"].startswith("AwsSolutions-")
    ]
    assert acknowledged, "the acknowledgments are written into the template's metadata"
    for rule in acknowledged:
        assert len(rule["reason"].split()) >= 8, rule


def test_the_cdk_reports_no_error(platform):
    errors = [message.entry.data for message in platform.messages if message.level == SynthesisMessageLevel.ERROR]
    assert errors == []


def test_the_stack_synthesises_without_an_account_or_region(platform):
    assert Token.is_unresolved(platform.stack.account)
    assert Token.is_unresolved(platform.stack.region)


def test_every_log_group_has_a_retention(platform):
    log_groups = platform.of_type("AWS::Logs::LogGroup")
    assert log_groups
    for logical_id, log_group in log_groups.items():
        assert log_group["Properties"].get("RetentionInDays"), logical_id


def test_the_network_has_two_zones_one_nat_gateway_and_flow_logs(platform):
    vpc = platform.stack.network.vpc
    assert len(vpc.public_subnets) == len(vpc.private_subnets) == len(vpc.isolated_subnets) == 2
    platform.template.resource_count_is("AWS::EC2::NatGateway", 1)
    platform.template.has_resource_properties(
        "AWS::EC2::FlowLog",
        {
            "ResourceId": ref(platform.id_of(vpc)),
            "TrafficType": "ALL",
            "LogGroupName": ref(platform.id_of(platform.stack.network.flow_logs)),
        },
    )


def test_no_security_group_admits_the_internet(platform):
    open_to_all = {"0.0.0.0/0", "::/0"}
    for logical_id, group in platform.of_type("AWS::EC2::SecurityGroup").items():
        for rule in group["Properties"].get("SecurityGroupIngress", []):
            assert rule.get("CidrIp") not in open_to_all, logical_id
            assert rule.get("CidrIpv6") not in open_to_all, logical_id
    for logical_id, rule in platform.of_type("AWS::EC2::SecurityGroupIngress").items():
        assert "CidrIp" not in rule["Properties"], logical_id
        assert "CidrIpv6" not in rule["Properties"], logical_id


def test_the_event_bus_is_the_one_the_code_publishes_to_and_is_archived(platform):
    bus_id = platform.id_of(platform.stack.event_bus.bus)
    platform.template.has_resource_properties("AWS::Events::EventBus", {"Name": EVENT_BUS_NAME})
    platform.template.has_resource_properties("AWS::Events::Archive", {"SourceArn": arn(bus_id)})
    assert PlatformSettings().event_bus_name == EVENT_BUS_NAME  # the code's default agrees


def test_the_api_stage_logs_json_and_throttles(platform):
    stage = platform.template.find_resources("AWS::ApiGatewayV2::Stage")
    assert len(stage) == 1
    properties = next(iter(stage.values()))["Properties"]
    assert properties["StageName"] == "$default"
    assert properties["AutoDeploy"] is True
    assert properties["AccessLogSettings"]["DestinationArn"] == arn(platform.id_of(platform.stack.api.access_logs))
    access_log = json.loads(properties["AccessLogSettings"]["Format"])
    assert access_log["requestId"] == "$context.requestId"
    assert access_log["routeKey"] == "$context.routeKey"
    assert properties["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0
    assert properties["DefaultRouteSettings"]["ThrottlingBurstLimit"] > 0


def test_the_api_url_is_an_output(platform):
    api_id = platform.id_of(platform.stack.api.http_api)
    platform.template.has_output("ApiUrl", {"Value": {"Fn::GetAtt": [api_id, "ApiEndpoint"]}})


def test_the_api_has_exactly_the_declared_routes_and_a_default(platform):
    route_keys = sorted(
        route["Properties"]["RouteKey"] for route in platform.of_type("AWS::ApiGatewayV2::Route").values()
    )
    declared = sorted([route.route_key for domain in DOMAINS for route in domain.routes] + ["$default"])
    assert route_keys == declared


@domains
def test_every_declared_route_is_served_by_the_domain_api_function(platform, domain):
    api_function = platform.id_of(platform.service(domain).function(domain.api_function))
    for route in domain.routes:
        assert integration_function(platform, route.route_key) == api_function, route.route_key
        assert may_invoke(platform, api_function, f"$default/{route.method}{route.path}"), route.route_key


@domains
def test_functions_are_pinned_traced_layered_and_in_the_private_subnets(platform, domain):
    service = platform.service(domain)
    layers = [
        ref(platform.id_of(platform.stack.layers.core)),
        ref(platform.id_of(platform.stack.layers.dependencies)),
    ]
    private = [ref(platform.id_of(subnet)) for subnet in platform.stack.network.vpc.private_subnets]
    for declared in domain.functions:
        built = service.functions[declared.name]
        function = platform.resources[platform.id_of(built.function)]["Properties"]
        assert function["Handler"] == declared.handler
        assert function["Runtime"] == "python3.12"
        assert function["Architectures"] == ["arm64"]
        assert function["Layers"] == layers
        assert function["TracingConfig"] == {"Mode": "Active"}
        assert function["Timeout"] == declared.timeout_seconds
        assert function["MemorySize"] == declared.memory_mb
        assert function["Role"] == arn(platform.id_of(built.role))
        assert function["LoggingConfig"]["LogGroup"] == ref(platform.id_of(built.log_group))
        assert function["VpcConfig"]["SubnetIds"] == private
        assert function["VpcConfig"]["SecurityGroupIds"] == [group_id(platform.id_of(service.security_group))]


def _resource_variables(platform: Synthesised, domain: DomainDeclaration) -> dict[str, Any]:
    """What a domain's functions are told about the resources it declares besides its database."""
    service = platform.service(domain)
    prefix = domain.name.upper()
    variables: dict[str, Any] = {}
    if Resource.USER_POOL in domain.resources:
        assert service.user_pool is not None
        variables[f"{prefix}_USER_POOL_ID"] = ref(platform.id_of(service.user_pool.pool))
        variables[f"{prefix}_CLIENT_ID"] = ref(platform.id_of(service.user_pool.client))
        variables[f"{prefix}_REGION"] = ref("AWS::Region")
    if Resource.CREDENTIALS_KEY in domain.resources:
        assert service.credentials_key is not None
        alias = platform.resources[platform.id_of(service.credentials_key.alias)]["Properties"]
        variables[f"{prefix}_CREDENTIALS_KEY_ID"] = alias["AliasName"]
    return variables


@domains
def test_functions_are_told_what_the_code_reads(platform, domain, monkeypatch):
    service = platform.service(domain)
    prefix = domain.name.upper()
    expected = {
        f"{prefix}_PUBLIC_API_URL": {"Fn::GetAtt": [platform.id_of(platform.stack.api.http_api), "ApiEndpoint"]},
        "FIP_EVENT_BUS_NAME": ref(platform.id_of(platform.stack.event_bus.bus)),
        "FIP_ENVIRONMENT": ENVIRONMENT,
        "FIP_ALLOW_PRIVATE_NETWORKS": "false",
        "FIP_REQUIRE_HTTPS": "true",
        "POWERTOOLS_SERVICE_NAME": domain.name,
        "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
        **TRACER_ENVIRONMENT,
        **_resource_variables(platform, domain),
    }
    for declared in domain.functions:
        function = platform.resources[platform.id_of(service.function(declared.name))]["Properties"]
        variables = dict(function["Environment"]["Variables"])
        # the database variables name the role the function logs in as: tests/infra/test_database_stack.py
        assert f"{prefix}_DATABASE_SECRET_ARN" in variables
        database_variables = {name for name in variables if name.startswith(f"{prefix}_DATABASE_")}
        assert variables.pop("FIP_FUNCTION_TIMEOUT_SECONDS") == str(declared.timeout_seconds)
        assert {name: variables[name] for name in variables if name not in database_variables} == expected

    # the names are the ones the settings models read
    monkeypatch.setenv(f"{prefix}_DATABASE_SECRET_ARN", "arn:secret")
    monkeypatch.setenv("FIP_EVENT_BUS_NAME", "bus")
    monkeypatch.setenv("FIP_ENVIRONMENT", ENVIRONMENT)
    assert database_settings(domain.name).database_secret_arn == "arn:secret"
    assert PlatformSettings().event_bus_name == "bus"
    assert PlatformSettings().environment == ENVIRONMENT
    # every outbound setting is set explicitly, under the name the settings model reads
    prefix = OutboundSettings.model_config["env_prefix"]
    outbound = {f"{prefix}{name.upper()}" for name in OutboundSettings.model_fields}
    assert outbound <= set(expected)


@domains
def test_function_roles_grant_no_wildcard_action_and_only_their_own_resources(platform, domain):
    service = platform.service(domain)
    bus = arn(platform.id_of(platform.stack.event_bus.bus))
    owner, app = ref(platform.id_of(service.database.owner_secret)), ref(platform.id_of(service.database.app_secret))
    for declared in domain.functions:
        role_id = platform.id_of(service.functions[declared.name].role)
        role = platform.resources[role_id]["Properties"]
        assert "ManagedPolicyArns" not in role
        assert role["AssumeRolePolicyDocument"]["Statement"] == [
            {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}}
        ]
        granted: dict[str, list[Any]] = {}
        for statement in _role_statements(platform, role_id):
            assert statement["Effect"] == "Allow"
            for action in as_list(statement["Action"]):
                assert action != "*", declared.name
                assert not action.endswith(":*"), (declared.name, action)
                granted.setdefault(action, []).extend(as_list(statement["Resource"]))
        for action, resources in granted.items():
            if "*" in resources:
                assert action in WILDCARD_RESOURCE_ACTIONS, (declared.name, action)
        login = owner if declared.name == domain.migrations_function else app
        assert granted["secretsmanager:GetSecretValue"] == [login], declared.name
        assert granted["logs:PutLogEvents"] == [arn(platform.id_of(service.functions[declared.name].log_group))]
        # only the functions that relay their domain's outbox may put events on the bus
        if declared.publishes_events:
            assert granted["events:PutEvents"] == [bus], declared.name
        else:
            assert "events:PutEvents" not in granted, declared.name


@domains
def test_schedules_invoke_their_function_with_retries_and_a_dead_letter_queue(platform, domain):
    service = platform.service(domain)
    rules = platform.of_type("AWS::Events::Rule").values()
    for schedule in domain.schedules:
        matching = [
            rule["Properties"]
            for rule in rules
            if rule["Properties"].get("ScheduleExpression") == _rate(schedule.rate_minutes)
        ]
        targets = [
            target
            for rule in matching
            if "EventBusName" not in rule  # scheduled rules live on the default bus
            for target in rule["Targets"]
            if target["Arn"] == arn(platform.id_of(service.function(schedule.function)))
        ]
        assert len(targets) == 1, schedule.name
        assert targets[0]["RetryPolicy"]["MaximumRetryAttempts"] >= 1
        assert "Arn" in targets[0]["DeadLetterConfig"]


def test_the_registry_health_sweep_runs_every_five_minutes(platform):
    registry = next(domain for domain in DOMAINS if domain.name == "registry")
    sweep = arn(platform.id_of(platform.service(registry).function("health-sweep")))
    platform.template.has_resource_properties(
        "AWS::Events::Rule",
        {"ScheduleExpression": "rate(5 minutes)", "State": "ENABLED", "Targets": [Match.object_like({"Arn": sweep})]},
    )


@domains
def test_every_subscription_is_a_rule_on_the_platform_bus(platform, domain):
    bus = ref(platform.id_of(platform.stack.event_bus.bus))
    for subscription in domain.subscriptions:
        target = arn(platform.id_of(platform.service(domain).function(subscription.function)))
        pattern: dict[str, Any] = {"detail-type": list(subscription.detail_types)}
        if subscription.sources:
            pattern["source"] = list(subscription.sources)
        platform.template.has_resource_properties(
            "AWS::Events::Rule",
            {"EventBusName": bus, "EventPattern": pattern, "Targets": [Match.object_like({"Arn": target})]},
        )


def test_the_audit_recorder_receives_every_domains_audit_records(platform):
    users = next(domain for domain in DOMAINS if domain.name == "users")
    recorder = arn(platform.id_of(platform.service(users).function("audit-recorder")))
    rules = [
        rule["Properties"]
        for rule in platform.of_type("AWS::Events::Rule").values()
        if any(target["Arn"] == recorder for target in rule["Properties"]["Targets"])
    ]
    assert len(rules) == 1
    assert rules[0]["EventBusName"] == ref(platform.id_of(platform.stack.event_bus.bus))
    # from any source: every domain sends its records through its own outbox
    assert rules[0]["EventPattern"] == {"detail-type": [AuditRecorded.name]}
    assert rules[0]["Targets"][0]["RetryPolicy"]["MaximumRetryAttempts"] >= 1


# --- the authorizer ------------------------------------------------------------------------------


def test_one_domain_declares_the_authorizer():
    assert len(AUTHORIZING) == 1


def test_the_api_has_one_lambda_authorizer_with_simple_cached_decisions(platform):
    (domain,) = AUTHORIZING
    assert domain.authorizer_function is not None
    function = platform.id_of(platform.service(domain).function(domain.authorizer_function))
    _, authorizer = _the_authorizer(platform)
    assert authorizer["ApiId"] == ref(platform.id_of(platform.stack.api.http_api))
    assert authorizer["AuthorizerType"] == "REQUEST"
    assert _function_id_of_uri(authorizer["AuthorizerUri"]) == function
    # simple responses, `{"isAuthorized": ...}`, exist in payload format 2.0 only
    assert authorizer["EnableSimpleResponses"] is True
    assert authorizer["AuthorizerPayloadFormatVersion"] == "2.0"
    assert authorizer["IdentitySource"] == ["$request.header.Authorization"]
    assert authorizer["AuthorizerResultTtlInSeconds"] == domain.authorizer_cache_seconds == 60


def test_api_gateway_may_invoke_the_authorizer_function_as_the_authorizer_alone(platform):
    (domain,) = AUTHORIZING
    assert domain.authorizer_function is not None
    function = arn(platform.id_of(platform.service(domain).function(domain.authorizer_function)))
    authorizer_id, _ = _the_authorizer(platform)
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


@domains
def test_routes_that_are_not_public_go_through_the_authorizer_and_public_routes_do_not(platform, domain):
    authorizer_id, _ = _the_authorizer(platform)
    for declared in domain.routes:
        route = _route(platform, declared.route_key)
        if declared.access is Access.PUBLIC:
            assert route.get("AuthorizationType", "NONE") == "NONE", declared.route_key
            assert "AuthorizerId" not in route, declared.route_key
        else:
            assert route["AuthorizationType"] == "CUSTOM", declared.route_key
            assert route["AuthorizerId"] == ref(authorizer_id), declared.route_key


def test_the_default_route_has_no_authorizer(platform):
    route = _route(platform, "$default")
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


# --- the user pool -------------------------------------------------------------------------------


@with_user_pool
def test_the_user_pool_signs_people_in_by_email_with_the_apis_password_policy(platform, domain):
    user_pool = platform.service(domain).user_pool
    assert user_pool is not None
    resource = platform.resources[platform.id_of(user_pool.pool)]
    pool = resource["Properties"]
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False  # people sign up themselves
    assert pool["AccountRecoverySetting"] == {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]}
    assert pool["Policies"]["PasswordPolicy"] == {
        "MinimumLength": PASSWORD_MIN_LENGTH,
        "RequireLowercase": True,
        "RequireUppercase": True,
        "RequireNumbers": True,
        "RequireSymbols": False,
    }
    assert {"Name": "email", "Required": True, "Mutable": True} in pool["Schema"]
    assert (
        pool["MfaConfiguration"] == "OPTIONAL"
    )  # required of admins by the platform (tests/infra/test_identity_stack.py)
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    assert pool["DeletionProtection"] == "ACTIVE"
    assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"


@with_user_pool
def test_the_user_pool_refuses_leaked_passwords(platform, domain):
    user_pool = platform.service(domain).user_pool
    assert user_pool is not None
    pool_id = platform.id_of(user_pool.pool)
    pool = platform.resources[pool_id]["Properties"]
    assert pool["UserPoolTier"] == "PLUS"
    assert pool["UserPoolAddOns"] == {"AdvancedSecurityMode": "ENFORCED"}
    (risk,) = [
        attachment["Properties"]
        for attachment in platform.of_type("AWS::Cognito::UserPoolRiskConfigurationAttachment").values()
        if attachment["Properties"]["UserPoolId"] == ref(pool_id)
    ]
    assert risk["ClientId"] == "ALL"
    compromised = risk["CompromisedCredentialsRiskConfiguration"]
    assert compromised["Actions"] == {"EventAction": "BLOCK"}
    assert set(compromised["EventFilter"]) == {"SIGN_IN", "SIGN_UP", "PASSWORD_CHANGE"}


@with_user_pool
def test_the_app_client_has_no_secret_and_signs_in_with_passwords_and_refresh_tokens(platform, domain):
    user_pool = platform.service(domain).user_pool
    assert user_pool is not None
    clients = platform.of_type("AWS::Cognito::UserPoolClient")
    assert len(clients) == 1
    client = clients[platform.id_of(user_pool.client)]["Properties"]
    assert client["UserPoolId"] == ref(platform.id_of(user_pool.pool))
    assert client["GenerateSecret"] is False
    assert sorted(client["ExplicitAuthFlows"]) == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"]
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert client["EnableTokenRevocation"] is True
    assert client["AllowedOAuthFlowsUserPoolClient"] is False
    assert "CallbackURLs" not in client
    units = client["TokenValidityUnits"]
    assert (units["AccessToken"], client["AccessTokenValidity"]) == ("minutes", 60)
    assert (units["IdToken"], client["IdTokenValidity"]) == ("minutes", 60)
    assert (units["RefreshToken"], client["RefreshTokenValidity"]) == ("minutes", 30 * 24 * 60)


@with_user_pool
def test_the_user_pool_has_a_group_per_role(platform, domain):
    user_pool = platform.service(domain).user_pool
    assert user_pool is not None
    groups = [group["Properties"] for group in platform.of_type("AWS::Cognito::UserPoolGroup").values()]
    assert sorted(group["GroupName"] for group in groups) == sorted(role.value for role in Role)
    for group in groups:
        assert group["UserPoolId"] == ref(platform.id_of(user_pool.pool))


@with_user_pool
def test_only_the_api_bootstrap_and_authorizer_functions_make_admin_calls_on_the_pool_alone(platform, domain):
    service = platform.service(domain)
    assert service.user_pool is not None
    pool = arn(platform.id_of(service.user_pool.pool))
    granted: dict[str, set[str]] = {}
    for policy in platform.of_type("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if actions := _actions(statement, "cognito-idp"):
                assert as_list(statement["Resource"]) == [pool], statement
                for role in policy["Properties"]["Roles"]:
                    granted.setdefault(role["Ref"], set()).update(actions)
    api_role = platform.id_of(service.functions[domain.api_function].role)
    expected = {api_role: set(USER_POOL_API_FUNCTION_ACTIONS)}
    if domain.bootstrap_function is not None:
        expected[platform.id_of(service.functions[domain.bootstrap_function].role)] = set(
            USER_POOL_BOOTSTRAP_FUNCTION_ACTIONS
        )
    if domain.authorizer_function is not None:
        expected[platform.id_of(service.functions[domain.authorizer_function].role)] = set(
            USER_POOL_AUTHORIZER_FUNCTION_ACTIONS
        )
    assert granted == expected


def test_the_pool_admin_calls_granted_are_those_the_users_code_makes():
    # admin calls are the ones IAM governs; the others (sign_up, initiate_auth, ...) are public client calls
    calls = set(re.findall(r"_client\.(admin_\w+)\b", inspect.getsource(cognito_adapter)))
    actions = {"cognito-idp:" + "".join(part.capitalize() for part in call.split("_")) for call in calls}
    granted = (
        USER_POOL_API_FUNCTION_ACTIONS + USER_POOL_BOOTSTRAP_FUNCTION_ACTIONS + USER_POOL_AUTHORIZER_FUNCTION_ACTIONS
    )
    assert actions == set(granted)


def test_the_users_settings_read_the_resource_variables(monkeypatch):
    users = next(domain for domain in DOMAINS if domain.name == "users")
    values = {"_USER_POOL_ID": "pool", "_CLIENT_ID": "client", "_REGION": "eu-central-1", "_CREDENTIALS_KEY_ID": "k"}
    for suffix, value in values.items():
        monkeypatch.setenv(users.name.upper() + suffix, value)
    settings = UsersSettings()
    read = (settings.user_pool_id, settings.client_id, settings.region, settings.credentials_key_id)
    assert read == ("pool", "client", "eu-central-1", "k")


# --- the credentials key -------------------------------------------------------------------------


@with_credentials_key
def test_the_credentials_key_is_rotated_retained_and_aliased_per_stack(platform, domain):
    key = platform.service(domain).credentials_key
    assert key is not None
    key_id = platform.id_of(key.key)
    resource = platform.resources[key_id]
    assert resource["Properties"]["EnableKeyRotation"] is True
    assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"
    alias = platform.resources[platform.id_of(key.alias)]["Properties"]
    assert alias["TargetKeyId"] == arn(key_id)
    assert alias["AliasName"] == f"alias/fip-{ENVIRONMENT}-{domain.name}-credentials"
    # the key policy grants nothing but the account's own IAM policies: the functions' roles below
    (statement,) = resource["Properties"]["KeyPolicy"]["Statement"]
    assert statement["Principal"]["AWS"]["Fn::Join"][1][-1] == ":root"


@with_credentials_key
def test_only_the_api_function_encrypts_and_only_the_credentials_function_decrypts(platform, domain):
    service = platform.service(domain)
    assert service.credentials_key is not None
    key = arn(platform.id_of(service.credentials_key.key))
    granted: dict[str, set[str]] = {}
    for roles, statement in _statements_naming(platform, key):
        actions = _actions(statement, "kms")
        if not actions & {"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:ReEncryptFrom", "kms:*"}:
            continue
        assert as_list(statement["Resource"]) == [key], statement
        assert statement["Condition"] == {
            "StringEquals": {"kms:EncryptionContext:purpose": "external-service-token"},
            "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["purpose", "user_id", "service_id"]},
        }
        for role in roles:
            granted.setdefault(role["Ref"], set()).update(actions)
    assert granted == {
        platform.id_of(service.functions[domain.api_function].role): {"kms:Encrypt"},
        platform.id_of(service.functions[CREDENTIALS_DECRYPTING_FUNCTION].role): {"kms:Decrypt"},
    }


def test_the_key_use_condition_is_the_encryption_context_the_users_code_sends(monkeypatch):
    sent: list[dict[str, Any]] = []

    class Kms:
        def encrypt(self, **request: Any) -> dict[str, Any]:
            sent.append(request)
            return {"CiphertextBlob": b"x"}

        def decrypt(self, **request: Any) -> dict[str, Any]:
            sent.append(request)
            return {"Plaintext": b"x"}

    monkeypatch.setattr("users.adapters.kms.aws_client", lambda service: Kms())
    cipher = CredentialCipher("alias/key")
    cipher.encrypt("token", "user-1", "service-1")
    cipher.decrypt(b"x", "user-1", "service-1")
    for request in sent:
        assert request["EncryptionContext"]["purpose"] == "external-service-token"
        assert set(request["EncryptionContext"]) == {"purpose", "user_id", "service_id"}


# --- internal functions --------------------------------------------------------------------------


def test_the_users_internal_functions_are_the_credentials_and_bootstrap_functions(platform):
    users = next(domain for domain in DOMAINS if domain.name == "users")
    internal = {built.declaration.name for built in platform.service(users).internal_functions}
    assert internal == {"credentials", "bootstrap-admin"}


@domains
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


# --- alarms --------------------------------------------------------------------------------------


def _alarms_on(platform: Synthesised, namespace: str, metric: str) -> list[dict[str, Any]]:
    return [
        alarm["Properties"]
        for alarm in platform.of_type("AWS::CloudWatch::Alarm").values()
        if (alarm["Properties"]["Namespace"], alarm["Properties"]["MetricName"]) == (namespace, metric)
    ]


def _notifies_the_topic(platform: Synthesised, alarm: dict[str, Any]) -> bool:
    topic = ref(platform.id_of(platform.stack.alarms.topic))
    return bool(alarm["AlarmActions"] == [topic] and alarm["OKActions"] == [topic])


@domains
def test_every_function_failing_raises_an_alarm_to_the_operators(platform, domain):
    service = platform.service(domain)
    errors = _alarms_on(platform, "AWS/Lambda", "Errors")
    for declared in domain.functions:
        function = ref(platform.id_of(service.function(declared.name)))
        watching = [alarm for alarm in errors if alarm["Dimensions"] == [{"Name": "FunctionName", "Value": function}]]
        assert len(watching) == 1, declared.name
        alarm = watching[0]
        assert (alarm["Statistic"], alarm["Period"], alarm["Threshold"]) == ("Sum", 300, 1)
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert alarm["TreatMissingData"] == "notBreaching"
        assert _notifies_the_topic(platform, alarm)


@domains
def test_a_dead_letter_raises_an_alarm_to_the_operators(platform, domain):
    service = platform.service(domain)
    if not (domain.schedules or domain.subscriptions):
        assert service.dead_letters is None
        return
    assert service.dead_letters is not None
    queue = {"Fn::GetAtt": [platform.id_of(service.dead_letters), "QueueName"]}
    watching = [
        alarm
        for alarm in _alarms_on(platform, "AWS/SQS", "ApproximateNumberOfMessagesVisible")
        if alarm["Dimensions"] == [{"Name": "QueueName", "Value": queue}]
    ]
    assert len(watching) == 1
    assert (watching[0]["Statistic"], watching[0]["Threshold"]) == ("Maximum", 1)
    assert _notifies_the_topic(platform, watching[0])


def test_the_apis_server_errors_raise_an_alarm(platform):
    api = ref(platform.id_of(platform.stack.api.http_api))
    watching = [
        alarm
        for alarm in _alarms_on(platform, "AWS/ApiGateway", "5xx")
        if alarm["Dimensions"] == [{"Name": "ApiId", "Value": api}]
    ]
    assert len(watching) == 1
    assert watching[0]["Statistic"] == "Sum"
    assert _notifies_the_topic(platform, watching[0])


def test_the_alarm_topic_is_encrypted_with_a_key_cloudwatch_may_use_and_refuses_plain_http(platform):
    alarms = platform.stack.alarms
    topic = platform.resources[platform.id_of(alarms.topic)]["Properties"]
    key_id = platform.id_of(alarms.key)
    assert topic["KmsMasterKeyId"] == arn(key_id)
    key = platform.resources[key_id]["Properties"]
    assert key["EnableKeyRotation"] is True
    cloudwatch_statements = [
        statement
        for statement in key["KeyPolicy"]["Statement"]
        if statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    ]
    assert {action for statement in cloudwatch_statements for action in as_list(statement["Action"])} == {
        "kms:Decrypt",
        "kms:GenerateDataKey*",
    }
    policies = [
        policy["Properties"]["PolicyDocument"]["Statement"]
        for policy in platform.of_type("AWS::SNS::TopicPolicy").values()
        if policy["Properties"]["Topics"] == [ref(platform.id_of(alarms.topic))]
    ]
    assert any(
        statement["Effect"] == "Deny" and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for statements in policies
        for statement in statements
    )
    assert "AlarmTopicArn" in platform.template.to_json()["Outputs"]


def test_no_one_is_subscribed_unless_an_address_is_given(platform, tmp_path, monkeypatch):
    assert platform.of_type("AWS::SNS::Subscription") == {}
    for variable in CDK_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    app, stack = build_app(str(tmp_path / "cdk.out"), context={ALARM_EMAIL_CONTEXT_KEY: "ops@example.org"})
    subscribed = synthesise(app, stack)
    subscriptions = list(subscribed.of_type("AWS::SNS::Subscription").values())
    assert [(s["Properties"]["Protocol"], s["Properties"]["Endpoint"]) for s in subscriptions] == [
        ("email", "ops@example.org")
    ]
    assert subscriptions[0]["Properties"]["TopicArn"] == ref(subscribed.id_of(stack.alarms.topic))


# --- a domain declaring what the registry does not (yet) -----------------------------------------


class ServiceRegistered(DomainEvent):
    name: ClassVar[str] = "ServiceRegistered"


class ServiceRemoved(DomainEvent):
    name: ClassVar[str] = "ServiceRemoved"


class PanelAdded(DomainEvent):
    name: ClassVar[str] = "PanelAdded"


EXAMPLE = DomainDeclaration(
    name="example",
    functions=(
        FunctionDeclaration(name="api", handler="example.handlers.api.handler", description="API"),
        FunctionDeclaration(name="on-service", handler="example.handlers.events.handler", description="Reacts"),
        FunctionDeclaration(name="migrate", handler="example.handlers.migrate.handler", description="Migrates"),
        FunctionDeclaration(name="gate", handler="example.handlers.gate.handler", description="Authorizes"),
    ),
    api_function="api",
    migrations_function="migrate",
    authorizer_function="gate",
    authorizer_cache_seconds=30,
    routes=(HttpRoute("GET", "/examples", Access.PUBLIC), HttpRoute("GET", "/examples/{example_id}", Access.SIGNED_IN)),
    subscriptions=(
        EventSubscription(function="on-service", events=(ServiceRegistered, ServiceRemoved), sources=("fip.registry",)),
        EventSubscription(function="on-service", events=(PanelAdded,)),
    ),
    schedules=(Schedule(name="tick", function="on-service", rate_minutes=1, description="Every minute"),),
)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Synthesised:
    """A stack of one made-up domain that subscribes to events, reaches nothing outside AWS and has the
    platform's authorizer under another name, with no resources besides its database."""
    registry = next(domain for domain in DOMAINS if domain.name == "registry")
    built = prepare_assets([registry])
    # the code is never run: any package will do for synthesis
    assets = PlatformAssets(
        built.core_layer, built.dependency_layer, {"example": built.domain_code["registry"]}, built.catch_all_code
    )
    with pytest.MonkeyPatch.context() as patch:
        for variable in CDK_VARIABLES:
            patch.delenv(variable, raising=False)
        app = App(outdir=str(tmp_path_factory.mktemp("example.cdk.out")))
        stack = PlatformStack(app, "example", domains=(EXAMPLE,), assets=assets, environment=ENVIRONMENT)
        return synthesise(app, stack)


def test_subscriptions_are_rules_on_the_platform_bus(example):
    bus = ref(example.id_of(example.stack.event_bus.bus))
    target = arn(example.id_of(example.stack.domains["example"].function("on-service")))
    for subscription in EXAMPLE.subscriptions:
        pattern: dict[str, Any] = {"detail-type": list(subscription.detail_types)}
        if subscription.sources:
            pattern["source"] = list(subscription.sources)
        example.template.has_resource_properties(
            "AWS::Events::Rule",
            {"EventBusName": bus, "EventPattern": pattern, "Targets": [Match.object_like({"Arn": target})]},
        )


def test_a_one_minute_schedule_is_written_in_the_singular(example):
    target = arn(example.id_of(example.stack.domains["example"].function("on-service")))
    example.template.has_resource_properties(
        "AWS::Events::Rule", {"ScheduleExpression": "rate(1 minute)", "Targets": [Match.object_like({"Arn": target})]}
    )


def test_functions_that_reach_no_external_service_may_only_use_https_and_their_database(example):
    service = example.stack.domains["example"]
    group = example.resources[example.id_of(service.security_group)]["Properties"]
    assert group["SecurityGroupEgress"] == [
        {"CidrIp": "0.0.0.0/0", "Description": "HTTPS to AWS APIs", "FromPort": 443, "IpProtocol": "tcp", "ToPort": 443}
    ]
    egress = [
        rule["Properties"]
        for rule in example.of_type("AWS::EC2::SecurityGroupEgress").values()
        if rule["Properties"]["GroupId"] == group_id(example.id_of(service.security_group))
    ]
    assert [(rule["DestinationSecurityGroupId"], rule["FromPort"]) for rule in egress] == [
        (group_id(example.id_of(service.database.cluster.security_group)), 5432)
    ]


def test_the_example_routes_reach_its_api_function_and_default_the_catch_all(example):
    api_function = example.id_of(example.stack.domains["example"].function("api"))
    for route_key in [route.route_key for route in EXAMPLE.routes]:
        assert integration_function(example, route_key) == api_function
    assert integration_function(example, "$default") == example.id_of(example.stack.catch_all.function)


def test_the_authorizer_is_whichever_function_a_domain_declares(example):
    service = example.stack.domains["example"]
    _, authorizer = _the_authorizer(example)
    assert _function_id_of_uri(authorizer["AuthorizerUri"]) == example.id_of(service.function("gate"))
    assert authorizer["AuthorizerResultTtlInSeconds"] == 30
    assert _route(example, "GET /examples/{example_id}")["AuthorizationType"] == "CUSTOM"
    assert _route(example, "GET /examples").get("AuthorizationType", "NONE") == "NONE"


def test_a_domain_without_resources_has_no_pool_key_or_resource_variables(example):
    service = example.stack.domains["example"]
    assert service.user_pool is None
    assert service.credentials_key is None
    example.template.resource_count_is("AWS::Cognito::UserPool", 0)
    variables = example.resources[example.id_of(service.function("api"))]["Properties"]["Environment"]["Variables"]
    assert not [name for name in variables if name.endswith(("_USER_POOL_ID", "_CLIENT_ID", "_CREDENTIALS_KEY_ID"))]


def test_a_route_that_is_not_public_needs_the_authorizer():
    stack = Stack(App())
    api = PlatformHttpApi(stack, "Api", environment=ENVIRONMENT)
    function = lambda_.Function(
        stack, "Function", runtime=LAMBDA_RUNTIME, handler="index.handler", code=lambda_.Code.from_inline("x = 1")
    )
    api.add_lambda_routes(stack, function, [HttpRoute("POST", "/open", Access.PUBLIC)])
    with pytest.raises(ValueError, match="no domain declares the authorizer"):
        api.add_lambda_routes(stack, function, [HttpRoute("GET", "/closed", Access.SIGNED_IN)])


# --- no event is lost silently -------------------------------------------------------------------


@domains
def test_functions_invoked_by_events_and_schedules_send_their_failures_to_the_dead_letters(platform, domain):
    service = platform.service(domain)
    configs = {
        config["Properties"]["FunctionName"]["Ref"]: config["Properties"]
        for config in platform.of_type("AWS::Lambda::EventInvokeConfig").values()
    }
    expected = domain.asynchronously_invoked_functions
    configured = {name for name in service.functions if platform.id_of(service.function(name)) in configs}
    assert configured == expected
    for name in expected:
        config = configs[platform.id_of(service.function(name))]
        assert config["MaximumRetryAttempts"] == 2
        assert config["DestinationConfig"]["OnFailure"]["Destination"] == arn(platform.id_of(service.dead_letters))
        role = platform.id_of(service.functions[name].role)
        assert any(
            "sqs:SendMessage" in as_list(statement["Action"])
            and arn(platform.id_of(service.dead_letters)) in as_list(statement["Resource"])
            for statement in _role_statements(platform, role)
        ), name


@domains
def test_every_publishing_domain_relays_its_outbox_every_minute(platform, domain):
    if not domain.publishes:
        return
    relay = arn(platform.id_of(platform.service(domain).function(domain.relay_function)))
    platform.template.has_resource_properties(
        "AWS::Events::Rule", {"ScheduleExpression": "rate(1 minute)", "Targets": [Match.object_like({"Arn": relay})]}
    )


@domains
def test_events_waiting_in_an_outbox_raise_an_alarm_even_when_the_relay_falls_silent(platform, domain):
    watching = [
        alarm
        for alarm in _alarms_on(platform, METRICS_NAMESPACE, "OldestUnrelayedEventAgeSeconds")
        if alarm["Dimensions"] == [{"Name": "service", "Value": domain.name}]
    ]
    assert len(watching) == (1 if domain.publishes else 0)
    for alarm in watching:
        assert (alarm["Statistic"], alarm["Threshold"]) == ("Maximum", 600)
        assert alarm["TreatMissingData"] == "breaching"
        assert _notifies_the_topic(platform, alarm)


@domains
def test_quarantined_events_raise_an_alarm(platform, domain):
    watching = [
        alarm
        for alarm in _alarms_on(platform, METRICS_NAMESPACE, "QuarantinedEvents")
        if alarm["Dimensions"] == [{"Name": "service", "Value": domain.name}]
    ]
    assert len(watching) == (1 if domain.subscriptions else 0)
    for alarm in watching:
        assert (alarm["Statistic"], alarm["Threshold"]) == ("Sum", 1)
        assert _notifies_the_topic(platform, alarm)

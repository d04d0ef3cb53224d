"""The synthesised platform stack has the properties that matter: every declared route, schedule and
subscription wired to its function; pinned, traced functions with least-privilege roles told what
their code reads; nothing lost silently; and no unacknowledged cdk-nag finding. The databases,
profiles and connection limits are in test_database_stack.py, the authorizer and internal functions
in test_authorizer_stack.py, the user pool, key and mail in test_identity_stack.py, the alarms in
test_alarms_stack.py, buckets, AWS events and calls between domains in test_resources_stack.py.

Everything is checked for every domain of `infra.domains.DOMAINS`, so a new domain or route is
covered without a new test."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import Token
from aws_cdk.assertions import Match
from aws_cdk.cx_api import SynthesisMessageLevel

from fip_core.outbound.policy import OutboundSettings
from fip_core.platform_events import AuditRecorded
from fip_core.settings import EVENT_BUS_NAME, METRICS_NAMESPACE, PlatformSettings, database_settings
from infra.compliance import solutions_checks
from infra.constants import TRACER_ENVIRONMENT
from infra.domains import DOMAINS
from tests.infra.template import (
    ENVIRONMENT,
    alarms_on,
    arn,
    as_list,
    assert_subscription_rules,
    each_domain,
    group_id,
    integration_function,
    may_invoke,
    notifies_the_topic,
    ref,
    resource_variables,
    role_statements,
)

DOMAIN_BY_NAME = {domain.name: domain for domain in DOMAINS}

pytestmark = pytest.mark.infra

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


def rate_expression(minutes: int) -> str:
    """As CDK renders a rate: whole hours in hours (the files domain's hourly retention)."""
    count, unit = (minutes // 60, "hour") if minutes % 60 == 0 else (minutes, "minute")
    return f"rate({count} {unit if count == 1 else unit + 's'})"


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


@each_domain
def test_every_declared_route_is_served_by_the_domain_api_function(platform, domain):
    api_function = platform.id_of(platform.service(domain).function(domain.api_function))
    for route in domain.routes:
        assert integration_function(platform, route.route_key) == api_function, route.route_key
        assert may_invoke(platform, api_function, f"$default/{route.method}{route.path}"), route.route_key


@each_domain
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


@each_domain
def test_functions_are_told_what_the_code_reads(platform, domain, monkeypatch):
    service = platform.service(domain)
    prefix = domain.name.upper()
    expected = {
        f"{prefix}_PUBLIC_API_URL": {"Fn::GetAtt": [platform.id_of(platform.stack.api.http_api), "ApiEndpoint"]},
        # links in messages open the console: CloudFront's origin when no `-c web_origin` names another
        f"{prefix}_WEB_ORIGIN": {
            "Fn::Join": [
                "",
                ["https://", {"Fn::GetAtt": [platform.id_of(platform.stack.web.distribution), "DomainName"]}],
            ]
        },
        "FIP_EVENT_BUS_NAME": ref(platform.id_of(platform.stack.event_bus.bus)),
        "FIP_ENVIRONMENT": ENVIRONMENT,
        "FIP_ALLOW_PRIVATE_NETWORKS": "false",
        "FIP_REQUIRE_HTTPS": "true",
        "POWERTOOLS_SERVICE_NAME": domain.name,
        "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
        **TRACER_ENVIRONMENT,
        **resource_variables(platform, domain),
    }
    for declared in domain.functions:
        function = platform.resources[platform.id_of(service.function(declared.name))]["Properties"]
        variables = dict(function["Environment"]["Variables"])
        # the database variables name the role the function logs in as: tests/infra/test_database_stack.py
        assert f"{prefix}_DATABASE_SECRET_ARN" in variables
        database_variables = {name for name in variables if name.startswith(f"{prefix}_DATABASE_")}
        assert variables.pop("FIP_FUNCTION_TIMEOUT_SECONDS") == str(declared.timeout_seconds)
        # a function that makes a declared call is told the target's name, and only that function
        targets = {
            call.variable(domain.name): ref(
                platform.id_of(platform.service(DOMAIN_BY_NAME[call.domain]).function(call.target))
            )
            for call in domain.calls
            if call.function == declared.name
        }
        assert {name: variables[name] for name in variables if name not in database_variables} == {
            **expected,
            **targets,
        }

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


@each_domain
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
        for statement in role_statements(platform, role_id):
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


@each_domain
def test_schedules_invoke_their_function_with_retries_and_a_dead_letter_queue(platform, domain):
    service = platform.service(domain)
    rules = platform.of_type("AWS::Events::Rule").values()
    for schedule in domain.schedules:
        matching = [
            rule["Properties"]
            for rule in rules
            if rule["Properties"].get("ScheduleExpression") == rate_expression(schedule.rate_minutes)
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


@each_domain
def test_every_subscription_is_a_rule_on_the_platform_bus(platform, domain):
    assert_subscription_rules(platform, platform.service(domain), domain.subscriptions)


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


# --- no event is lost silently -------------------------------------------------------------------


@each_domain
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
            for statement in role_statements(platform, role)
        ), name


@each_domain
def test_every_publishing_domain_relays_its_outbox_every_minute(platform, domain):
    if not domain.publishes:
        return
    relay = arn(platform.id_of(platform.service(domain).function(domain.relay_function)))
    platform.template.has_resource_properties(
        "AWS::Events::Rule", {"ScheduleExpression": "rate(1 minute)", "Targets": [Match.object_like({"Arn": relay})]}
    )


@each_domain
def test_events_waiting_in_an_outbox_raise_an_alarm_even_when_the_relay_falls_silent(platform, domain):
    watching = [
        alarm
        for alarm in alarms_on(platform, METRICS_NAMESPACE, "OldestUnrelayedEventAgeSeconds")
        if alarm["Dimensions"] == [{"Name": "service", "Value": domain.name}]
    ]
    assert len(watching) == (1 if domain.publishes else 0)
    for alarm in watching:
        assert (alarm["Statistic"], alarm["Threshold"]) == ("Maximum", 600)
        assert alarm["TreatMissingData"] == "breaching"
        assert notifies_the_topic(platform, alarm)


@each_domain
def test_quarantined_events_raise_an_alarm(platform, domain):
    watching = [
        alarm
        for alarm in alarms_on(platform, METRICS_NAMESPACE, "QuarantinedEvents")
        if alarm["Dimensions"] == [{"Name": "service", "Value": domain.name}]
    ]
    assert len(watching) == (1 if domain.subscriptions else 0)
    for alarm in watching:
        assert (alarm["Statistic"], alarm["Threshold"]) == ("Sum", 1)
        assert notifies_the_topic(platform, alarm)

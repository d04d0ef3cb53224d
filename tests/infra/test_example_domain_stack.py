"""A stack of one made-up domain declaring what the shipped domains do not: subscriptions with and
without sources, a one-minute schedule, the platform's authorizer under another name, no resources
besides its database and no external service to reach."""

from __future__ import annotations

from typing import ClassVar

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Match

from fip_core.access import Access
from fip_core.declaration import DomainDeclaration, EventSubscription, FunctionDeclaration, HttpRoute, Schedule
from fip_core.platform_events import DomainEvent
from infra.bucket import access_logs
from infra.bundling import PlatformAssets, prepare_assets
from infra.constants import FEATURE_FLAGS, LAMBDA_RUNTIME
from infra.domains import DOMAINS
from infra.http_api import PlatformHttpApi
from infra.stack import PlatformStack
from tests.infra.template import (
    CDK_VARIABLES,
    ENVIRONMENT,
    Synthesised,
    arn,
    assert_subscription_rules,
    function_id_of_uri,
    group_id,
    integration_function,
    route_properties,
    synthesise,
    the_authorizer,
)

pytestmark = pytest.mark.infra


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
        app = App(outdir=str(tmp_path_factory.mktemp("example.cdk.out")), context=dict(FEATURE_FLAGS))
        stack = PlatformStack(app, "example", domains=(EXAMPLE,), assets=assets, environment=ENVIRONMENT)
        return synthesise(app, stack)


def test_subscriptions_are_rules_on_the_platform_bus(example):
    assert_subscription_rules(example, example.stack.domains["example"], EXAMPLE.subscriptions)


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
    _, authorizer = the_authorizer(example)
    assert function_id_of_uri(authorizer["AuthorizerUri"]) == example.id_of(service.function("gate"))
    assert authorizer["AuthorizerResultTtlInSeconds"] == 30
    assert route_properties(example, "GET /examples/{example_id}")["AuthorizationType"] == "CUSTOM"
    assert route_properties(example, "GET /examples").get("AuthorizationType", "NONE") == "NONE"


def test_a_domain_without_resources_has_no_pool_key_bucket_or_resource_variables(example):
    service = example.stack.domains["example"]
    assert service.resources == {}
    for kind in ("AWS::Cognito::UserPool", "AWS::KMS::Alias", "AWS::SES::EmailIdentity"):
        example.template.resource_count_is(kind, 0)
    # the platform's own buckets alone: the web console's and the one its access logs go to
    console = example.stack.web.bucket
    assert set(example.of_type("AWS::S3::Bucket")) == {
        example.id_of(console),
        example.id_of(access_logs(example.stack)),
    }
    variables = example.resources[example.id_of(service.function("api"))]["Properties"]["Environment"]["Variables"]
    suffixes = ("_USER_POOL_ID", "_CLIENT_ID", "_KEY_ID", "_BUCKET", "_SENDER", "_FUNCTION_NAME")
    assert not [name for name in variables if name.endswith(suffixes)]


def test_a_route_that_is_not_public_needsthe_authorizer():
    stack = Stack(App())
    api = PlatformHttpApi(stack, "Api", environment=ENVIRONMENT)
    function = lambda_.Function(
        stack, "Function", runtime=LAMBDA_RUNTIME, handler="index.handler", code=lambda_.Code.from_inline("x = 1")
    )
    api.add_lambda_routes(stack, function, [HttpRoute("POST", "/open", Access.PUBLIC)])
    with pytest.raises(ValueError, match="no domain declares the authorizer"):
        api.add_lambda_routes(stack, function, [HttpRoute("GET", "/closed", Access.SIGNED_IN)])

"""Reading a synthesised platform stack: its constructs and template, and the helpers several
infrastructure test modules share."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, CfnElement, NestedStack, Stack
from aws_cdk.assertions import Match, Template
from constructs import IConstruct

from fip_core.declaration import DomainDeclaration
from fip_core.resources import BucketSpec, EmailIdentitySpec, EncryptionKeySpec, ResourceSpec, UserPoolSpec
from infra.domain import DomainService
from infra.domains import DOMAINS
from infra.stack import PlatformStack
from infra.templates import Flattened, StackTemplates, flatten, read_stack

CDK_VARIABLES = ("CDK_DEFAULT_ACCOUNT", "CDK_DEFAULT_REGION", "CDK_CONTEXT_JSON", "CDK_OUTDIR")


@dataclass(frozen=True)
class Synthesised:
    """A synthesised stack: the constructs (to find logical ids by), its templates (the root's and each
    nested stack's, as deployed) and all of them read as one template (`infra.templates.flatten`, with the
    domains' named functions read as references: `_by_reference`)."""

    stack: PlatformStack
    template: Template
    resources: dict[str, dict[str, Any]]
    messages: list[Any]
    stacks: StackTemplates
    flattened: Flattened

    def id_of(self, construct: IConstruct) -> str:
        """The logical id of a construct's CloudFormation resource, in the flattened template."""
        element = construct if isinstance(construct, CfnElement) else construct.node.default_child
        assert isinstance(element, CfnElement), construct.node.path
        stack = Stack.of(element)
        return self.flattened.logical_id(_nested_path(stack), str(stack.resolve(element.logical_id)))

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        """The resources of one type, by logical id."""
        return {key: value for key, value in self.resources.items() if value["Type"] == resource_type}

    def service(self, domain: DomainDeclaration) -> DomainService:
        """The construct of one domain."""
        return self.stack.domains[domain.name]


def _nested_path(stack: Stack) -> tuple[str, ...]:
    # the logical ids of the nested-stack resources from the root down to this stack
    path: list[str] = []
    while isinstance(stack, NestedStack):
        parent = stack.nested_stack_parent
        assert parent is not None
        path.insert(0, str(parent.resolve(stack.nested_stack_resource.logical_id)))  # type: ignore[union-attr]
        stack = parent
    return tuple(path)


def synthesise(app: App, stack: PlatformStack) -> Synthesised:
    """Synthesise the app and read the stack's templates, the root's and its nested stacks'."""
    assembly = app.synth()
    artifact = assembly.get_stack_artifact(stack.artifact_id)
    stacks = read_stack(Path(assembly.directory) / artifact.template_file)
    # from_json fails on a dependency cycle, which CloudFormation would reject at deploy time
    for each in stacks.each():
        Template.from_json(each.template)
    flattened = flatten(stacks)
    template = _by_reference(flattened.template)
    return Synthesised(
        stack, Template.from_json(template), template["Resources"], list(artifact.messages), stacks, flattened
    )


def _by_reference(template: dict[str, Any]) -> dict[str, Any]:
    """The template with the fixed names of the functions other stacks invoke (`infra.domain.function_name`),
    and the ARNs made of them, read as the `Ref` and `Arn` of the function so named: what a value points at
    reads the same whether the reference crosses a stack or not."""
    named = {
        resource["Properties"]["FunctionName"]: logical_id
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Function" and isinstance(resource["Properties"].get("FunctionName"), str)
    }
    arn_middle = [{"Ref": "AWS::Partition"}, ":lambda:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"}]

    def function_arns(parts: list[Any]) -> list[Any]:
        # `arn:<partition>:lambda:<region>:<account>:function:<name>`, anywhere in a join's parts
        for start in range(len(parts) - len(arn_middle) - 1):
            before, after = parts[start], parts[start + len(arn_middle) + 1]
            if not (isinstance(before, str) and before.endswith("arn:") and isinstance(after, str)):
                continue
            if parts[start + 1 : start + 1 + len(arn_middle)] != arn_middle:
                continue
            for name, logical_id in named.items():
                if after == f":function:{name}" or after.startswith(f":function:{name}/"):
                    rest = after.removeprefix(f":function:{name}")
                    replaced = [before.removesuffix("arn:"), {"Fn::GetAtt": [logical_id, "Arn"]}, rest]
                    end = start + len(arn_middle) + 2
                    return function_arns([*parts[:start], *(p for p in replaced if p != ""), *parts[end:]])
        return parts

    def resolve(value: Any) -> Any:
        if isinstance(value, list):
            return [resolve(item) for item in value]
        if isinstance(value, str):
            return {"Ref": named[value]} if value in named else value
        if not isinstance(value, dict):
            return value
        if set(value) == {"Fn::Join"} and value["Fn::Join"][0] == "":
            parts = function_arns(resolve(value["Fn::Join"][1]))
            return parts[0] if len(parts) == 1 and not isinstance(parts[0], str) else {"Fn::Join": ["", parts]}
        return {key: resolve(item) for key, item in value.items()}

    resources = {}
    for logical_id, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        resolved = {**resource, "Properties": resolve(properties)} if properties else resource
        if resource["Type"] == "AWS::Lambda::Function" and "FunctionName" in properties:
            resolved["Properties"]["FunctionName"] = properties["FunctionName"]  # its own name stays a name
        resources[logical_id] = resolved
    return {**template, "Resources": resources}


def ref(logical_id: str) -> dict[str, str]:
    """`Ref` of a resource."""
    return {"Ref": logical_id}


def arn(logical_id: str) -> dict[str, list[str]]:
    """The `Arn` attribute of a resource."""
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def integration_function(platform: Synthesised, route_key: str) -> str:
    """The logical id of the function a route's Lambda integration invokes (payload 2.0)."""
    route = next(
        route
        for route in platform.of_type("AWS::ApiGatewayV2::Route").values()
        if route["Properties"]["RouteKey"] == route_key
    )
    target = route["Properties"]["Target"]["Fn::Join"][1]
    assert target[0] == "integrations/"
    integration = platform.resources[target[1]["Ref"]]["Properties"]
    assert integration["IntegrationType"] == "AWS_PROXY"
    assert integration["PayloadFormatVersion"] == "2.0"
    return str(integration["IntegrationUri"]["Fn::GetAtt"][0])


def may_invoke(platform: Synthesised, function_id: str, request: str) -> bool:
    """Whether API Gateway may invoke the function for `<stage>/<method>/<path>` (ArnLike, `*` any run)."""
    api_id = platform.id_of(platform.stack.api.http_api)
    for permission in platform.of_type("AWS::Lambda::Permission").values():
        properties = permission["Properties"]
        if properties["FunctionName"] != arn(function_id) or properties["Principal"] != "apigateway.amazonaws.com":
            continue
        parts = properties["SourceArn"]["Fn::Join"][1]
        suffix = parts[parts.index(ref(api_id)) + 1 :]
        assert len(suffix) == 1, suffix
        assert isinstance(suffix[0], str), suffix
        pattern = ".*".join(re.escape(piece) for piece in suffix[0].split("*"))
        if re.fullmatch(pattern, "/" + request):
            return True
    return False


def group_id(logical_id: str) -> dict[str, list[str]]:
    """A security group's id, as the template refers to it."""
    return {"Fn::GetAtt": [logical_id, "GroupId"]}


def as_list(value: Any) -> list[Any]:
    """A policy field that may be one value or a list of them, as a list."""
    return value if isinstance(value, list) else [value]


ENVIRONMENT = "dev"  # the deployment the tests synthesise
each_domain = pytest.mark.parametrize("domain", DOMAINS, ids=lambda domain: domain.name)


def declaring(spec_type: type[ResourceSpec], domains: Sequence[DomainDeclaration] = DOMAINS) -> Any:
    """A parametrisation over the domains that declare a resource of this type."""
    found = [domain for domain in domains if any(isinstance(spec, spec_type) for spec in domain.resources)]
    return pytest.mark.parametrize("domain", found, ids=lambda domain: domain.name)


def spec_of[S: ResourceSpec](domain: DomainDeclaration, spec_type: type[S]) -> S:
    """The one resource of this type a domain declares."""
    (spec,) = [spec for spec in domain.resources if isinstance(spec, spec_type)]
    return spec


def role_statements(platform: Synthesised, role_id: str) -> list[dict[str, Any]]:
    """Every statement of the identity policies attached to a role."""
    return [
        statement
        for policy in platform.of_type("AWS::IAM::Policy").values()
        if ref(role_id) in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def statements_naming(platform: Synthesised, resource: Any) -> list[tuple[list[Any], dict[str, Any]]]:
    """Every identity-policy statement in the template that names a resource (or every resource), with
    the roles its policy is attached to."""
    return [
        (policy["Properties"]["Roles"], statement)
        for policy in platform.of_type("AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if resource in as_list(statement["Resource"]) or "*" in as_list(statement["Resource"])
    ]


def actions_of(statement: dict[str, Any], service: str) -> set[str]:
    """A statement's actions of one service (`kms`)."""
    return {action for action in as_list(statement["Action"]) if action.startswith(f"{service}:")}


def granted_by_role(platform: Synthesised, resource: Any, service: str) -> dict[str, set[str]]:
    """The actions of one service each role is granted on a resource, by the role's logical id; every
    such statement names that resource alone."""
    granted: dict[str, set[str]] = {}
    for roles, statement in statements_naming(platform, resource):
        if actions := actions_of(statement, service):
            assert as_list(statement["Resource"]) == [resource], statement
            for role in roles:
                granted.setdefault(role["Ref"], set()).update(actions)
    return granted


def route_properties(platform: Synthesised, route_key: str) -> dict[str, Any]:
    """The properties of the one route with this key."""
    routes: list[dict[str, Any]] = [
        route["Properties"]
        for route in platform.of_type("AWS::ApiGatewayV2::Route").values()
        if route["Properties"]["RouteKey"] == route_key
    ]
    assert len(routes) == 1, route_key
    return routes[0]


def the_authorizer(platform: Synthesised) -> tuple[str, dict[str, Any]]:
    """The logical id and properties of the platform's one authorizer."""
    authorizers = platform.of_type("AWS::ApiGatewayV2::Authorizer")
    assert len(authorizers) == 1, "the platform has exactly one authorizer"
    logical_id, authorizer = next(iter(authorizers.items()))
    return logical_id, authorizer["Properties"]


def function_id_of_uri(uri: dict[str, Any]) -> str:
    """The function a Lambda authorizer's or integration's invocation URI names."""
    return str(
        next(part for part in uri["Fn::Join"][1] if isinstance(part, dict) and "Fn::GetAtt" in part)["Fn::GetAtt"][0]
    )


def alarms_on(platform: Synthesised, namespace: str, metric: str) -> list[dict[str, Any]]:
    """The properties of the alarms on one metric."""
    return [
        alarm["Properties"]
        for alarm in platform.of_type("AWS::CloudWatch::Alarm").values()
        if (alarm["Properties"].get("Namespace"), alarm["Properties"].get("MetricName")) == (namespace, metric)
    ]


def math_alarms_on(platform: Synthesised, namespace: str, metric: str) -> list[dict[str, Any]]:
    """The properties of the metric-math alarms that watch one metric, each with the dimensions it watches."""
    found = []
    for alarm in platform.of_type("AWS::CloudWatch::Alarm").values():
        watched = [
            query["MetricStat"]["Metric"]
            for query in alarm["Properties"].get("Metrics", [])
            if "MetricStat" in query
            and (query["MetricStat"]["Metric"]["Namespace"], query["MetricStat"]["Metric"]["MetricName"])
            == (namespace, metric)
        ]
        if watched:
            found.append({**alarm["Properties"], "watched": [m["Dimensions"] for m in watched]})
    return found


def notifies_the_topic(platform: Synthesised, alarm: dict[str, Any]) -> bool:
    """Whether an alarm notifies the operators' topic when it fires and when it clears."""
    topic = ref(platform.id_of(platform.stack.alarms.topic))
    return bool(alarm["AlarmActions"] == [topic] and alarm["OKActions"] == [topic])


def resource_variables(platform: Synthesised, domain: DomainDeclaration) -> dict[str, Any]:
    """What a domain's functions are told about the resources it declares, spelled out per kind, in
    the template's terms."""
    service = platform.service(domain)
    prefix = domain.name.upper()
    variables: dict[str, Any] = {}
    for spec in domain.resources:
        built: Any = service.resource(spec.name)
        stem = spec.name.upper().replace("-", "_")
        if isinstance(spec, UserPoolSpec):
            variables[f"{prefix}_USER_POOL_ID"] = ref(platform.id_of(built.pool))
            variables[f"{prefix}_CLIENT_ID"] = ref(platform.id_of(built.client))
            variables[f"{prefix}_REGION"] = ref("AWS::Region")
        elif isinstance(spec, EncryptionKeySpec):
            alias = platform.resources[platform.id_of(built.alias)]["Properties"]["AliasName"]
            variables[f"{prefix}_{stem}_KEY_ID"] = alias
        elif isinstance(spec, BucketSpec):
            variables[f"{prefix}_{stem}_BUCKET"] = ref(platform.id_of(built.bucket))
        elif isinstance(spec, EmailIdentitySpec):
            variables[f"{prefix}_{stem}_SENDER"] = built.mail.sender if built.mail is not None else ""
            configuration_set = ref(platform.id_of(built.mail.configuration_set)) if built.mail is not None else ""
            variables[f"{prefix}_{stem}_CONFIGURATION_SET"] = configuration_set
        else:
            raise AssertionError(f"no expectation written for a {spec.kind}")
    return variables


def assert_subscription_rules(platform: Synthesised, service: DomainService, subscriptions: Sequence[Any]) -> None:
    """Each domain-event subscription is a rule on the platform's bus, with its detail types (and its
    sources, if any), targeting its function."""
    bus = ref(platform.id_of(platform.stack.event_bus.bus))
    for subscription in subscriptions:
        target = arn(platform.id_of(service.function(subscription.function)))
        pattern: dict[str, Any] = {"detail-type": list(subscription.detail_types)}
        if subscription.sources:
            pattern["source"] = list(subscription.sources)
        platform.template.has_resource_properties(
            "AWS::Events::Rule",
            {"EventBusName": bus, "EventPattern": pattern, "Targets": [Match.object_like({"Arn": target})]},
        )

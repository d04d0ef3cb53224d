"""Reading a synthesised platform stack: its constructs and template, and the helpers several
infrastructure test modules share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from aws_cdk import App, CfnElement
from aws_cdk.assertions import Template
from constructs import IConstruct

from fip_core.declaration import DomainDeclaration
from infra.domain import DomainService
from infra.stack import PlatformStack

CDK_VARIABLES = ("CDK_DEFAULT_ACCOUNT", "CDK_DEFAULT_REGION", "CDK_CONTEXT_JSON", "CDK_OUTDIR")


@dataclass(frozen=True)
class Synthesised:
    """A synthesised stack: the constructs (to find logical ids by) and the template."""

    stack: PlatformStack
    template: Template
    resources: dict[str, dict[str, Any]]
    messages: list[Any]

    def id_of(self, construct: IConstruct) -> str:
        """The logical id of a construct's CloudFormation resource."""
        element = construct if isinstance(construct, CfnElement) else construct.node.default_child
        assert isinstance(element, CfnElement), construct.node.path
        return str(self.stack.resolve(element.logical_id))

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        """The resources of one type, by logical id."""
        return {key: value for key, value in self.resources.items() if value["Type"] == resource_type}

    def service(self, domain: DomainDeclaration) -> DomainService:
        """The construct of one domain."""
        return self.stack.domains[domain.name]


def synthesise(app: App, stack: PlatformStack) -> Synthesised:
    """Synthesise the app and read the stack's template."""
    assembly = app.synth()
    artifact = assembly.get_stack_artifact(stack.artifact_id)
    # from_json also fails on a dependency cycle, which CloudFormation would reject at deploy time
    template = Template.from_json(artifact.template)
    return Synthesised(stack, template, artifact.template["Resources"], list(artifact.messages))


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

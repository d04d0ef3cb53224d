"""No function of the platform records its responses in X-Ray: they carry secrets (sign-in tokens, new
API tokens, decrypted external tokens).

Tracing is Lambda's active tracing, which records segments of each invocation and never a payload; no
tracing SDK runs in the platform's functions (fip_core.observability; the dependency layer has none,
and tests/unit/test_cold_start_imports.py checks that none is loaded). The variable below is what
keeps it so should Powertools' Tracer, which records responses by default, ever be added back: set as
an aspect, so that every function in the stack carries it, the ones CDK adds for itself and the ones
constructs add later included."""

from __future__ import annotations

import jsii
from aws_cdk import CfnResource, IAspect
from constructs import IConstruct

from infra.constants import TRACER_ENVIRONMENT

LAMBDA_FUNCTION = "AWS::Lambda::Function"


@jsii.implements(IAspect)
class NoResponsesInTraces:
    """Adds `POWERTOOLS_TRACER_CAPTURE_RESPONSE=false` to the environment of every Lambda function."""

    def visit(self, node: IConstruct) -> None:
        """Set the variables on a function's CloudFormation resource; leave everything else alone."""
        if isinstance(node, CfnResource) and node.cfn_resource_type == LAMBDA_FUNCTION:
            for name, value in TRACER_ENVIRONMENT.items():
                node.add_property_override(f"Environment.Variables.{name}", value)

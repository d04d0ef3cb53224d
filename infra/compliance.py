"""cdk-nag's AWS Solutions rules, and the one way this app acknowledges a finding: with a reason."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct

RULE_PACK = "AwsSolutions"


def solutions_checks(scope: IConstruct | None = None) -> AwsSolutionsChecks:
    """The AWS Solutions rule pack; given the app, it also writes every acknowledgment and its reason
    into the template's metadata, as an audit trail."""
    return AwsSolutionsChecks(scope, verbose=True, write_suppressions_to_cloud_formation=scope is not None)


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    """Accept a finding of `rule` (`IAM5[Resource::*]`, without the pack's prefix) on a construct and
    everything in it; the reason is required and says why the finding is acceptable."""
    if not reason.strip():
        raise ValueError(f"acknowledging {rule} needs a reason")
    Validations.of(construct).acknowledge(Acknowledgment(id=f"{RULE_PACK}-{rule}", reason=reason))

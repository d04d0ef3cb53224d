"""Every stack the app synthesises, the root and each domain's nested stack, stays well inside
CloudFormation's quotas on one stack, for every profile and both cluster layouts: the single stack it
replaced had 482 of the 500 resources a stack may hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.app import build_app
from infra.domain import function_name
from infra.profiles import PROFILES
from infra.templates import (
    OUTPUTS_LIMIT,
    PARAMETERS_LIMIT,
    RESOURCES_LIMIT,
    TEMPLATE_BYTES_LIMIT,
    Usage,
    read_stack,
    usage,
)
from tests.infra.template import CDK_VARIABLES

pytestmark = pytest.mark.infra

# room left in every stack: a domain as large as the largest today (86 resources) could join the root
RESOURCE_HEADROOM = 100
PARAMETER_HEADROOM = 100
OUTPUT_HEADROOM = 100
TEMPLATE_BYTES_HEADROOM = 500_000


@pytest.fixture(scope="module", params=[(profile, per_domain) for profile in PROFILES for per_domain in (False, True)])
def used(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> list[Usage]:
    """Each template's use of the quotas, for one profile and cluster layout."""
    profile, per_domain = request.param
    with pytest.MonkeyPatch.context() as patch:
        for variable in CDK_VARIABLES:
            patch.delenv(variable, raising=False)
        app, stack = build_app(
            str(tmp_path_factory.mktemp("cdk.out")), {"profile": profile, "cluster_per_domain": per_domain}
        )
        assembly = app.synth()
    template = assembly.get_stack_artifact(stack.artifact_id).template_full_path
    found = usage(read_stack(Path(template)))
    for each in found:
        print(f"{profile} cluster_per_domain={per_domain}: {each}")  # noqa: T201 (`pytest -s` shows the counts)
    return found


def test_the_root_and_one_nested_stack_per_domain_are_synthesised(used):
    assert used[0].file == "fip-dev.template.json"
    assert len([each for each in used if each.file.endswith(".nested.template.json")]) == len(used) - 1 >= 5


def test_every_stack_leaves_room_for_more_resources(used):
    assert {each.file: each.resources for each in used if each.resources > RESOURCES_LIMIT - RESOURCE_HEADROOM} == {}


def test_every_stack_leaves_room_for_more_parameters_and_outputs(used):
    assert [each for each in used if each.parameters > PARAMETERS_LIMIT - PARAMETER_HEADROOM] == []
    assert [each for each in used if each.outputs > OUTPUTS_LIMIT - OUTPUT_HEADROOM] == []


def test_every_template_is_well_under_the_size_cloudformation_reads_from_s3(used):
    assert [each for each in used if each.template_bytes > TEMPLATE_BYTES_LIMIT - TEMPLATE_BYTES_HEADROOM] == []


def test_a_fixed_function_name_longer_than_lambda_allows_is_refused():
    assert function_name("dev", "users", "credentials") == "fip-dev-users-credentials"
    with pytest.raises(ValueError, match="longer than Lambda's 64 characters"):
        function_name("staging", "notifications", "x" * 40)

"""Reading a stack's templates with its nested stacks' (`infra.templates`), on a hand-written cloud
assembly: the nested template found through the asset manifest, and the lot read as one template in the
root's terms."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra.templates import flatten, read_stack, usage

NESTED_KEY = "0123abcd.json"
ROOT: dict[str, Any] = {
    "Resources": {
        "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "bus"}},
        "Provider": {"Type": "AWS::Lambda::Function", "Properties": {"Handler": "root.handler"}},
        "Domain": {
            "Type": "AWS::CloudFormation::Stack",
            "DependsOn": ["Bus"],
            "Properties": {
                "TemplateURL": {"Fn::Join": ["", ["https://s3.", {"Ref": "AWS::Region"}, f"/bucket/{NESTED_KEY}"]]},
                "Parameters": {"referencetoBusArn": {"Fn::GetAtt": ["Bus", "Arn"]}},
            },
        },
        "Alarm": {
            "Type": "AWS::CloudWatch::Alarm",
            "DependsOn": "Domain",
            "Properties": {"Dimensions": [{"Value": {"Fn::GetAtt": ["Domain", "Outputs.FunctionRef"]}}]},
        },
    },
    "Outputs": {"Name": {"Value": {"Fn::GetAtt": ["Domain", "Outputs.FunctionRef"]}}},
}
NESTED: dict[str, Any] = {
    "Parameters": {"referencetoBusArn": {"Type": "String"}},
    "Resources": {
        "Function": {
            "Type": "AWS::Lambda::Function",
            "Properties": {"Environment": {"Variables": {"BUS": {"Ref": "referencetoBusArn"}}}},
            "DependsOn": ["Provider"],
        },
        "Provider": {"Type": "AWS::Lambda::Function", "Properties": {"Region": {"Ref": "AWS::Region"}}},
    },
    "Outputs": {"FunctionRef": {"Value": {"Ref": "Function"}}},
}


@pytest.fixture
def root_template(tmp_path: Path) -> Path:
    """A cloud assembly of one stack with one nested stack."""
    (tmp_path / "app.template.json").write_text(json.dumps(ROOT))
    (tmp_path / "appDomain.nested.template.json").write_text(json.dumps(NESTED))
    assets = {
        "files": {
            "0123abcd": {
                "source": {"path": "appDomain.nested.template.json", "packaging": "file"},
                "destinations": {"here": {"bucketName": "bucket", "objectKey": NESTED_KEY}},
            }
        }
    }
    (tmp_path / "app.assets.json").write_text(json.dumps(assets))
    manifest = {
        "artifacts": {
            "app.assets": {"type": "cdk:asset-manifest", "properties": {"file": "app.assets.json"}},
            "app": {
                "type": "aws:cloudformation:stack",
                "properties": {"templateFile": "app.template.json"},
                "dependencies": ["app.assets"],
            },
        }
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    return tmp_path / "app.template.json"


def test_the_nested_template_is_the_one_its_url_names_in_the_asset_manifest(root_template):
    stack = read_stack(root_template)
    assert list(stack.nested) == ["Domain"]
    assert stack.nested["Domain"].template == NESTED
    assert [(used.file, used.resources, used.parameters, used.outputs) for used in usage(stack)] == [
        ("app.template.json", 4, 0, 1),
        ("appDomain.nested.template.json", 2, 1, 1),
    ]


def test_flattened_the_references_across_the_stacks_read_as_in_one_stack(root_template):
    flattened = flatten(read_stack(root_template))
    resources = flattened.template["Resources"]
    # the nested stack itself is gone, its resources are there; a clashing id is renamed
    assert sorted(resources) == ["Alarm", "Bus", "Domain.Provider", "Function", "Provider"]
    assert flattened.names == {("Domain",): {"Provider": "Domain.Provider"}}
    assert flattened.logical_id(("Domain",), "Provider") == "Domain.Provider"
    assert flattened.logical_id(("Domain",), "Function") == "Function"
    # a parameter is what the parent passes; an output read is the output's value
    assert resources["Function"]["Properties"]["Environment"]["Variables"]["BUS"] == {"Fn::GetAtt": ["Bus", "Arn"]}
    assert resources["Alarm"]["Properties"]["Dimensions"] == [{"Value": {"Ref": "Function"}}]
    assert flattened.template["Outputs"] == {"Name": {"Value": {"Ref": "Function"}}}
    # pseudo parameters stay as they are
    assert resources["Domain.Provider"]["Properties"]["Region"] == {"Ref": "AWS::Region"}
    # what the nested stack waits for, its resources wait for; what waits for it waits for all of them
    assert resources["Function"]["DependsOn"] == ["Bus", "Domain.Provider"]
    assert resources["Domain.Provider"]["DependsOn"] == ["Bus"]
    assert resources["Alarm"]["DependsOn"] == ["Domain.Provider", "Function"]

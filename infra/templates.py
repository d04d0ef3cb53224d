"""A synthesised stack's templates as CloudFormation deploys them: the root template and the template of
each nested stack in it (found through the cloud assembly's asset manifest, as the CLI uploads them), and
the lot read as one template, for what asks about the whole deployment (`make cost`, the infra tests)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NESTED_STACK_TYPE = "AWS::CloudFormation::Stack"
OUTPUT_PREFIX = "Outputs."  # `Fn::GetAtt` of a nested stack's output


@dataclass(frozen=True)
class StackTemplates:
    """One stack's template and, by the logical id of their `AWS::CloudFormation::Stack` resource in it,
    those of its nested stacks."""

    file: Path
    template: dict[str, Any]
    nested: dict[str, StackTemplates] = field(default_factory=dict)

    def each(self) -> Iterator[StackTemplates]:
        """This stack, then every nested one, depth first."""
        yield self
        for child in self.nested.values():
            yield from child.each()


def read_stack(template_file: Path) -> StackTemplates:
    """A stack synthesised into a cloud assembly, from its template file there, with its nested stacks."""
    directory = template_file.parent
    manifest = json.loads((directory / "manifest.json").read_text())
    artifacts: dict[str, Any] = manifest["artifacts"]
    (stack,) = [
        artifact
        for artifact in artifacts.values()
        if artifact.get("properties", {}).get("templateFile") == template_file.name
    ]
    # the nested stacks' templates are file assets of the stack, uploaded under the key their URL ends in
    templates_by_key: dict[str, Path] = {}
    for dependency in stack.get("dependencies", []):
        if artifacts[dependency]["type"] != "cdk:asset-manifest":
            continue
        assets = json.loads((directory / artifacts[dependency]["properties"]["file"]).read_text())
        for asset in assets.get("files", {}).values():
            if asset["source"]["path"].endswith(".template.json"):
                for destination in asset["destinations"].values():
                    templates_by_key[destination["objectKey"]] = directory / asset["source"]["path"]
    return _read(template_file, templates_by_key)


def _read(path: Path, templates_by_key: dict[str, Path]) -> StackTemplates:
    template: dict[str, Any] = json.loads(path.read_text())
    nested = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == NESTED_STACK_TYPE:
            url = resource["Properties"]["TemplateURL"]["Fn::Join"][1][-1]
            (key,) = [key for key in templates_by_key if url.endswith("/" + key)]
            nested[logical_id] = _read(templates_by_key[key], templates_by_key)
    return StackTemplates(path, template, nested)


@dataclass(frozen=True)
class Flattened:
    """Every resource of a stack and its nested stacks as one template, in the root's terms: a nested
    template's parameters replaced by what its parent passes, a parent's reads of a nested stack's outputs by
    the outputs' values, and dependencies on a nested stack by dependencies on everything in it. A nested
    resource whose logical id another template uses already is renamed `<nested stack's id>.<logical id>`;
    `names` holds those renamings, by the path of nested-stack ids from the root."""

    template: dict[str, Any]
    names: dict[tuple[str, ...], dict[str, str]]

    def logical_id(self, path: tuple[str, ...], local_id: str) -> str:
        """A resource's id here, given its nested stack's path and its id in that stack's template."""
        return self.names.get(path, {}).get(local_id, local_id)


def flatten(stack: StackTemplates) -> Flattened:
    """The stack and its nested stacks as one template (see `Flattened`)."""
    flattening = _Flattening()
    outputs = flattening.add(stack, (), {}, [])
    root = stack.template
    merged = {key: value for key, value in root.items() if key not in ("Resources", "Outputs")}
    merged["Resources"] = flattening.resources
    if outputs:
        merged["Outputs"] = outputs
    for section, values in flattening.sections.items():
        merged[section] = {**values, **root.get(section, {})}
    return Flattened(merged, flattening.names)


class _Flattening:
    def __init__(self) -> None:
        self.resources: dict[str, Any] = {}
        self.reserved: set[str] = set()  # the ids given so far
        self.names: dict[tuple[str, ...], dict[str, str]] = {}
        self.sections: dict[str, dict[str, Any]] = {}
        self.contents: dict[tuple[str, ...], list[str]] = {}  # the resources of each nested stack, nested or not

    def add(
        self, stack: StackTemplates, path: tuple[str, ...], given: dict[str, Any], inherited: list[str]
    ) -> dict[str, Any]:
        """Add one stack's resources (and its nested stacks'); its outputs, resolved."""
        resources: dict[str, Any] = stack.template["Resources"]
        names = {
            key: (f"{path[-1]}.{key}" if path and key in self.reserved else key)
            for key in resources
            if resources[key]["Type"] != NESTED_STACK_TYPE
        }
        self.reserved |= set(names.values())
        if path:
            self.names[path] = {key: name for key, name in names.items() if key != name}
            for section in ("Conditions", "Mappings"):
                for key, value in stack.template.get(section, {}).items():
                    if self.sections.setdefault(section, {}).setdefault(key, value) != value:
                        raise ValueError(f"{section} {key} differs between the nested templates")
        resolved_outputs: dict[str, dict[str, Any]] = {}

        def resolve(value: Any) -> Any:
            if isinstance(value, list):
                return [resolve(item) for item in value]
            if isinstance(value, dict) and set(value) == {"Ref"} and isinstance(value["Ref"], str):
                name = value["Ref"]
                if path and name in stack.template.get("Parameters", {}):
                    return given[name]
                return {"Ref": names.get(name, name)}
            if isinstance(value, dict) and set(value) == {"Fn::GetAtt"}:
                target, attribute = value["Fn::GetAtt"]
                if target in stack.nested and attribute.startswith(OUTPUT_PREFIX):
                    return resolved_outputs[target][attribute.removeprefix(OUTPUT_PREFIX)]["Value"]
                return {"Fn::GetAtt": [names.get(target, target), resolve(attribute)]}
            return {key: resolve(item) for key, item in value.items()} if isinstance(value, dict) else value

        # the nested stacks first, each after those it depends on: the parent reads their outputs
        for child_id in _in_order(stack.nested, resources):
            child = stack.nested[child_id]
            resource = resources[child_id]
            passed = {key: resolve(value) for key, value in resource["Properties"].get("Parameters", {}).items()}
            waits_for = [*inherited, *self._depended_on(resource, names, path)]
            resolved_outputs[child_id] = self.add(child, (*path, child_id), passed, waits_for)
        mine: list[str] = []
        for key, resource in resources.items():
            if resource["Type"] == NESTED_STACK_TYPE:
                mine += self.contents[(*path, key)]
                continue
            flat = {field_: resolve(value) for field_, value in resource.items() if field_ != "DependsOn"}
            depends_on = [*inherited, *self._depended_on(resource, names, path)]
            if depends_on:
                flat["DependsOn"] = sorted(set(depends_on))
            self.resources[names[key]] = flat
            mine.append(names[key])
        self.contents[path] = mine
        return {key: resolve(output) for key, output in stack.template.get("Outputs", {}).items()}

    def _depended_on(self, resource: dict[str, Any], names: dict[str, str], path: tuple[str, ...]) -> list[str]:
        # a dependency on a nested stack is one on everything in it
        depends_on = resource.get("DependsOn", [])
        found: list[str] = []
        for key in [depends_on] if isinstance(depends_on, str) else depends_on:
            found += self.contents.get((*path, key), [names.get(key, key)])
        return found


def _in_order(nested: dict[str, StackTemplates], resources: dict[str, Any]) -> list[str]:
    # nested stacks ordered so that each comes after the sibling stacks it depends on
    ordered: list[str] = []

    def visit(key: str, seen: tuple[str, ...]) -> None:
        if key in ordered:
            return
        if key in seen:
            raise ValueError(f"the nested stacks {seen} depend on each other")
        depends_on = resources[key].get("DependsOn", [])
        for other in [depends_on] if isinstance(depends_on, str) else depends_on:
            if other in nested:
                visit(other, (*seen, key))
        ordered.append(key)

    for key in nested:
        visit(key, ())
    return ordered


# CloudFormation's quotas on one stack's template (the nested stacks' and, through the CDK's bootstrap
# bucket, the root's are uploaded to S3: the limit on a template read from S3 applies, not the 51,200 bytes
# of one passed in the request)
RESOURCES_LIMIT = 500
PARAMETERS_LIMIT = 200
OUTPUTS_LIMIT = 200
TEMPLATE_BYTES_LIMIT = 1_000_000  # 1 MB


@dataclass(frozen=True)
class Usage:
    """How much of CloudFormation's quotas one template takes."""

    file: str
    resources: int
    parameters: int
    outputs: int
    template_bytes: int


def usage(stack: StackTemplates) -> list[Usage]:
    """The stack's and each nested stack's use of the quotas, root first."""
    return [
        Usage(
            each.file.name,
            len(each.template["Resources"]),
            len(each.template.get("Parameters", {})),
            len(each.template.get("Outputs", {})),
            each.file.stat().st_size,
        )
        for each in stack.each()
    ]


def main(argv: list[str]) -> int:
    """`python -m infra.templates cdk.out/fip-dev.template.json`: each template's resources, parameters,
    outputs and size, against CloudFormation's limits."""
    sys.stdout.write(
        f"{'template':<56} {'resources':>9} {'parameters':>10} {'outputs':>7} {'bytes':>9}\n"
        f"{'(limit)':<56} {RESOURCES_LIMIT:>9} {PARAMETERS_LIMIT:>10} {OUTPUTS_LIMIT:>7} {TEMPLATE_BYTES_LIMIT:>9}\n"
    )
    for path in argv:
        for used in usage(read_stack(Path(path))):
            counts = f"{used.resources:>9} {used.parameters:>10} {used.outputs:>7} {used.template_bytes:>9}"
            sys.stdout.write(f"{used.file:<56} {counts}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

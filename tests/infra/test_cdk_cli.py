"""The deploy path as an operator runs it: the CDK CLI pinned in package.json (`npm ci` puts it in
node_modules/.bin/cdk) reads cdk.json, runs its app and writes a cloud assembly holding the platform's
template, with no AWS credentials and no network: the CLI runs in a network namespace of its own,
with only a loopback interface, so whatever it or the app would send cannot leave the machine."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from infra.bundling import build_dependency_layer
from infra.domains import DOMAINS
from infra.templates import flatten, read_stack
from tests.conftest import REPO, skip_or_fail

pytestmark = pytest.mark.infra

CLI = REPO / "node_modules" / ".bin" / "cdk"
STACK = "fip-dev"
SYNTH_TIMEOUT_SECONDS = 600  # a bound on a hung CLI, far above a synth's time on a loaded machine


def _pinned_cli_version() -> str:
    return str(json.loads((REPO / "package.json").read_text())["devDependencies"]["aws-cdk"])


def test_cdk_cli_is_pinned_to_one_version_in_package_json_and_its_lock() -> None:
    version = _pinned_cli_version()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"aws-cdk {version!r} is a range, not a version"
    lock = json.loads((REPO / "package-lock.json").read_text())
    assert lock["packages"][""]["devDependencies"]["aws-cdk"] == version
    assert lock["packages"]["node_modules/aws-cdk"]["version"] == version
    assert lock["packages"]["node_modules/aws-cdk"]["integrity"].startswith("sha512-")


def test_cdk_json_runs_the_app_with_the_projects_virtual_environment() -> None:
    app = json.loads((REPO / "cdk.json").read_text())["app"]
    assert app.split()[0] == ".venv/bin/python"
    assert app.split()[1:] == ["-m", "infra.app"]


def _offline_cli_environment(home: Path) -> dict[str, str]:
    """What the CLI sees: no AWS credentials, profile or endpoint, and a home of its own (no ~/.aws)."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        # nothing could leave the namespace anyway; these spare the CLI attempts that would fail
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def test_cdk_synth_through_the_pinned_cli_and_cdk_json_writes_the_platform_template(tmp_path) -> None:
    if not CLI.exists():
        skip_or_fail("the pinned CDK CLI is not installed: run `make cdk-cli` (npm ci)")
    installed = json.loads((REPO / "node_modules" / "aws-cdk" / "package.json").read_text())["version"]
    assert installed == _pinned_cli_version(), "node_modules is stale: run `make cdk-cli`"
    unshare = shutil.which("unshare")
    if unshare is None:
        skip_or_fail("unshare (util-linux) is needed to run the CDK CLI without network")
    # pip needs the network to build the dependency layer: built here, the app finds it up to date
    build_dependency_layer()
    output = tmp_path / "cdk.out"
    command = [
        str(unshare), "--net", "--map-root-user",
        str(CLI), "synth", "--quiet", "--no-notices", "--output", str(output),
    ]  # fmt: skip
    finished = subprocess.run(
        command,
        cwd=REPO,
        env=_offline_cli_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=SYNTH_TIMEOUT_SECONDS,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr

    manifest = json.loads((output / "manifest.json").read_text())
    stack = manifest["artifacts"][STACK]
    assert stack["type"] == "aws:cloudformation:stack"
    # the domains' functions are in nested stacks: their templates, as the CLI would upload them, read as one
    template = flatten(read_stack(output / stack["properties"]["templateFile"])).template
    handlers = {
        resource["Properties"]["Handler"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Lambda::Function"
    }
    declared = {function.handler for domain in DOMAINS for function in domain.functions}
    assert declared <= handlers

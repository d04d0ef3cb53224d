"""The lock files follow the requirement files people edit: every requirement is locked at the version
it pins, every locked package has an exact version and hashes (pip's --require-hashes needs both),
and the development environment runs the dependency layer's versions of the packages both hold.
One Python minor version is named everywhere a tool is told which Python the code runs on."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import pytest

from tests.support.locks import read_lock, requirements

REPO = Path(__file__).resolve().parents[2]
# each requirement file people edit, and the lock `make lock` resolves it into
LOCKS = {
    "requirements-dev.txt": "requirements-dev.lock",
    "layers/deps/requirements.txt": "layers/deps/requirements.lock",
    "tests/support/sapporo-requirements.txt": "tests/support/sapporo-requirements.lock",
    "local_platform/localstack-requirements.txt": "local_platform/localstack-requirements.lock",
}


@pytest.mark.parametrize(("source", "locked"), LOCKS.items())
def test_lock_holds_every_requirement_at_its_pinned_version(source: str, locked: str) -> None:
    pins = read_lock(REPO / locked)
    for name, version in requirements(REPO / source).items():
        assert name in pins, f"{name} is required by {source} but not in {locked}: run `make lock`"
        if version is not None:
            assert pins[name].version == version, f"{source} pins {name}=={version}, {locked} has {pins[name].version}"


@pytest.mark.parametrize("locked", LOCKS.values())
def test_every_locked_package_has_hashes_and_the_lock_says_how_it_is_made(locked: str) -> None:
    pins = read_lock(REPO / locked)
    assert pins
    assert [name for name, pin in pins.items() if pin.hashes == 0] == []
    assert "#    make lock" in (REPO / locked).read_text()


def test_development_environment_runs_the_dependency_layers_versions() -> None:
    development = read_lock(REPO / LOCKS["requirements-dev.txt"])
    layer = read_lock(REPO / LOCKS["layers/deps/requirements.txt"])
    assert set(layer) <= set(development)
    assert {name: pin.version for name, pin in layer.items()} == {name: development[name].version for name in layer}


def test_one_python_minor_version_for_the_tools_the_makefile_and_this_run() -> None:
    makefile = (REPO / "Makefile").read_text()
    version = re.search(r"^PYTHON_VERSION := (\d+\.\d+)$", makefile, re.MULTILINE)
    assert version
    major, minor = version[1].split(".")
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert project["project"]["requires-python"] == f"=={major}.{minor}.*"
    assert project["tool"]["ruff"]["target-version"] == f"py{major}{minor}"
    assert project["tool"]["mypy"]["python_version"] == f"{major}.{minor}"
    assert sys.version_info[:2] == (int(major), int(minor))

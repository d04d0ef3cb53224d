"""The Lambda assets are built locally, without Docker: each domain's package at the asset root, the
core layer under `python/`, and the dependency layer for ARM64 Python 3.12 from its hash-checked lock,
rebuilt only when the lock changes. The runtime is the Python the Makefile develops and tests with."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from infra.bundling import build_core_layer, build_dependency_layer, build_domain_code, dependency_fingerprint
from infra.constants import (
    CORE_LAYER_SOURCE,
    DEPS_LOCK,
    LAMBDA_RUNTIME,
    PIP_PLATFORM,
    PIP_PYTHON_VERSION,
    RUNTIME_PROVIDED_DISTRIBUTIONS,
)
from infra.domains import DOMAINS
from tests.conftest import REPO
from tests.support.locks import normalise, read_lock

pytestmark = pytest.mark.infra

AARCH64 = 183


def _caches(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.name == "__pycache__" or path.suffix in {".pyc", ".pyo"}]


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda domain: domain.name)
def test_domain_code_asset_holds_the_package_every_handler_names(domain, tmp_path):
    root = build_domain_code(domain.name, tmp_path)
    assert (root / domain.name / "__init__.py").is_file()
    for function in domain.functions:
        module = function.handler.rsplit(".", 1)[0].split(".")
        assert (root.joinpath(*module).with_suffix(".py")).is_file(), function.handler


def test_domain_code_asset_leaves_bytecode_caches_out(tmp_path):
    source = tmp_path / "functions" / "example"
    (source / "__pycache__").mkdir(parents=True)
    (source / "__init__.py").write_text("")
    (source / "__pycache__" / "__init__.cpython-311.pyc").write_bytes(b"")
    (source / "stray.pyc").write_bytes(b"")
    root = build_domain_code("example", tmp_path / "build", functions_dir=tmp_path / "functions")
    assert sorted(path.name for path in (root / "example").iterdir()) == ["__init__.py"]


def test_domain_code_asset_drops_files_deleted_from_the_source(tmp_path):
    root = build_domain_code("registry", tmp_path)
    stale = root / "registry" / "removed_module.py"
    stale.write_text("")
    build_domain_code("registry", tmp_path)
    assert not stale.exists()


def test_core_layer_puts_fip_core_under_python_without_caches(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(CORE_LAYER_SOURCE, source)
    (source / "fip_core" / "__pycache__").mkdir(exist_ok=True)
    (source / "fip_core" / "__pycache__" / "database.cpython-311.pyc").write_bytes(b"")
    root = build_core_layer(tmp_path / "build", source)
    assert (root / "python" / "fip_core" / "__init__.py").is_file()
    assert _caches(root) == []


@pytest.fixture(scope="module")
def dependency_layer() -> Path:
    """The real dependency layer in .build/ (pip runs only the first time)."""
    return build_dependency_layer().directory


def test_dependency_layer_is_built_for_arm64_python_3_12(dependency_layer):
    site = dependency_layer / "python"
    extensions = list(site.rglob("*.so"))
    assert extensions
    for extension in extensions:
        # compiled for CPython 3.12 or for its stable ABI, and for AArch64 (ELF machine 183)
        assert ".cpython-312-aarch64-linux-gnu." in extension.name or ".abi3." in extension.name, extension
        header = extension.read_bytes()[:20]
        assert header[:4] == b"\x7fELF", extension
        assert int.from_bytes(header[18:20], "little") == AARCH64, extension
    for package in ("pydantic", "pydantic_core", "sqlalchemy", "pg8000", "aws_lambda_powertools", "certifi", "alembic"):
        assert (site / package).is_dir(), package


def test_dependency_layer_leaves_boto3_and_botocore_to_the_runtime(dependency_layer):
    site = dependency_layer / "python"
    for package in ("boto3", "botocore", "s3transfer", "urllib3", "bin"):
        assert not (site / package).exists(), package
    assert not list(site.glob("botocore-*.dist-info"))
    assert _caches(dependency_layer) == []


def test_dependency_layer_is_not_rebuilt_when_its_requirements_are_unchanged(dependency_layer, monkeypatch):
    def no_pip(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("pip ran although the stamp matches")

    monkeypatch.setattr(subprocess, "run", no_pip)
    assert build_dependency_layer().directory == dependency_layer


def test_lambda_runtime_layer_wheels_and_layer_lock_are_for_the_python_the_makefile_uses():
    makefile = (REPO / "Makefile").read_text()
    version = re.search(r"^PYTHON_VERSION := (\S+)$", makefile, re.MULTILINE)
    assert version
    assert LAMBDA_RUNTIME.name == f"python{version[1]}"
    assert version[1] == PIP_PYTHON_VERSION
    # `make lock` resolves the layer's lock for the platform pip installs it for
    policy, architecture = PIP_PLATFORM.split("_", 1)
    assert f"--python-platform {architecture}-{policy} --only-binary :all:" in makefile


def test_dependency_layer_holds_the_locked_versions_but_what_the_runtime_provides(dependency_layer):
    installed = {
        normalise(name): version
        for name, version in (
            path.name.removesuffix(".dist-info").rsplit("-", 1)
            for path in (dependency_layer / "python").glob("*.dist-info")
        )
    }
    locked = {
        name: pin.version for name, pin in read_lock(DEPS_LOCK).items() if name not in RUNTIME_PROVIDED_DISTRIBUTIONS
    }
    assert installed == locked


def test_dependency_layer_is_rebuilt_when_its_lock_changes(tmp_path, monkeypatch):
    runs: list[list[str]] = []

    def fake_pip(command: list[str], check: bool) -> None:
        runs.append(command)
        target = Path(command[command.index("--target") + 1])
        (target / "example").mkdir(parents=True)
        (target / "example" / "__init__.py").write_text("")

    monkeypatch.setattr(subprocess, "run", fake_pip)
    lock = tmp_path / "requirements.lock"
    lock.write_text("example==1.0 \\\n    --hash=sha256:" + "1" * 64 + "\n")
    build = tmp_path / "build"

    first = build_dependency_layer(lock, build)
    build_dependency_layer(lock, build)
    assert len(runs) == 1
    assert (first.directory / "python" / "example").is_dir()
    assert first.fingerprint == dependency_fingerprint(lock)

    lock.write_text("example==1.0 \\\n    --hash=sha256:" + "2" * 64 + "\n")
    second = build_dependency_layer(lock, build)
    assert len(runs) == 2
    assert second.fingerprint != first.fingerprint
    platform = runs[0][runs[0].index("--platform") + 1]
    assert platform == "manylinux2014_aarch64"
    assert runs[0][runs[0].index("--python-version") + 1] == "3.12"
    assert "--only-binary=:all:" in runs[0]
    assert "--require-hashes" in runs[0]
    assert runs[0][runs[0].index("--requirement") + 1] == str(lock)

"""Builds the Lambda assets locally, without Docker: each domain's code package, the shared core
layer and the third-party dependency layer, all under `.build/`."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from fip_core.catch_all import CATALOGUE_FILE, RouteCatalogue
from fip_core.declaration import DomainDeclaration
from infra.constants import (
    BUILD_DIR,
    CORE_LAYER_SOURCE,
    DEPS_LOCK,
    FUNCTIONS_DIR,
    PIP_IMPLEMENTATION,
    PIP_PLATFORM,
    PIP_PYTHON_VERSION,
    RUNTIME_PROVIDED_DISTRIBUTIONS,
    WEB_DIST,
)

_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo")
# Part of the dependency layer's fingerprint: raised whenever the way the layer is built changes, so
# that layers built the old way are rebuilt.
DEPENDENCY_LAYER_RECIPE = "3"  # 3: installed from the hash-checked lock


@dataclass(frozen=True)
class DependencyLayer:
    """The built dependency layer: its asset directory and a hash of what it was built from."""

    directory: Path
    fingerprint: str


@dataclass(frozen=True)
class PlatformAssets:
    """Directories ready to be used as Lambda assets: the two layers, every domain's code and the
    catch-all function's (its catalogue of the declared routes; its handler is in the core layer)."""

    core_layer: Path
    dependency_layer: DependencyLayer
    domain_code: dict[str, Path]
    catch_all_code: Path
    web_console: Path | None = None  # the built console (`make web`), or None when it is not built


def build_domain_code(domain: str, build_dir: Path = BUILD_DIR, functions_dir: Path = FUNCTIONS_DIR) -> Path:
    """Copy `functions/<domain>/` so the asset root holds the package `<domain>`, which the declared
    handler paths (`registry.handlers.api.handler`) start with."""
    source = functions_dir / domain
    if not (source / "__init__.py").is_file():
        raise FileNotFoundError(f"{source} is not a Python package")
    root = build_dir / "functions" / domain
    _replace_tree(source, root / domain)
    return root


def build_catch_all_code(domains: Sequence[DomainDeclaration], build_dir: Path = BUILD_DIR) -> Path:
    """The catch-all function's code: the catalogue of every declared route, from which it tells 405 from 404."""
    root = build_dir / "functions" / "platform-catch-all"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    catalogue = RouteCatalogue.of(route for domain in domains for route in domain.routes)
    (root / CATALOGUE_FILE).write_text(catalogue.to_json() + "\n")
    return root


def build_core_layer(build_dir: Path = BUILD_DIR, source: Path = CORE_LAYER_SOURCE) -> Path:
    """Copy the shared `fip_core` package so the layer's root holds `python/fip_core/`, the path the
    Lambda runtime puts on `sys.path` for layers."""
    root = build_dir / "layers" / "core"
    _replace_tree(source, root / "python")
    return root


def dependency_fingerprint(lock: Path = DEPS_LOCK) -> str:
    """The hash of everything the dependency layer is built from: the lock (versions and hashes), the
    target platform and the recipe."""
    digest = hashlib.sha256()
    digest.update(lock.read_bytes())
    parts = (DEPENDENCY_LAYER_RECIPE, PIP_PLATFORM, PIP_IMPLEMENTATION, PIP_PYTHON_VERSION)
    for part in (*parts, *sorted(RUNTIME_PROVIDED_DISTRIBUTIONS)):
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()


def build_dependency_layer(lock: Path = DEPS_LOCK, build_dir: Path = BUILD_DIR) -> DependencyLayer:
    """Install the locked packages as wheels for the Lambda platform, each checked against its hash,
    unless the layer already built matches the lock and platform (its stamp file holds the fingerprint)."""
    fingerprint = dependency_fingerprint(lock)
    root = build_dir / "layers" / "deps"
    stamp = build_dir / "layers" / "deps.sha256"
    if root.is_dir() and stamp.is_file() and stamp.read_text().strip() == fingerprint:
        return DependencyLayer(root, fingerprint)

    # Built beside the final place and swapped in only when complete: an interrupted pip leaves no
    # half-built layer behind a valid stamp.
    staging = build_dir / "layers" / "deps.partial"
    shutil.rmtree(staging, ignore_errors=True)
    target = staging / "python"
    command = [
        sys.executable, "-m", "pip", "install",
        "--quiet", "--disable-pip-version-check", "--no-compile",
        "--platform", PIP_PLATFORM,
        "--implementation", PIP_IMPLEMENTATION,
        "--python-version", PIP_PYTHON_VERSION,
        "--only-binary=:all:",
        "--require-hashes",
        "--target", str(target),
        "--requirement", str(lock),
    ]  # fmt: skip
    subprocess.run(command, check=True)  # noqa: S603 -- a fixed command line, no shell
    _remove_distributions(target, RUNTIME_PROVIDED_DISTRIBUTIONS)
    # console scripts name the build machine's interpreter: of no use in a layer
    shutil.rmtree(target / "bin", ignore_errors=True)

    stamp.unlink(missing_ok=True)
    shutil.rmtree(root, ignore_errors=True)
    staging.rename(root)
    stamp.write_text(fingerprint + "\n")
    return DependencyLayer(root, fingerprint)


def prepare_assets(domains: Sequence[DomainDeclaration], build_dir: Path = BUILD_DIR) -> PlatformAssets:
    """Build every asset the platform's functions need."""
    return PlatformAssets(
        core_layer=build_core_layer(build_dir),
        dependency_layer=build_dependency_layer(build_dir=build_dir),
        domain_code={domain.name: build_domain_code(domain.name, build_dir) for domain in domains},
        catch_all_code=build_catch_all_code(domains, build_dir),
        web_console=WEB_DIST if (WEB_DIST / "index.html").is_file() else None,
    )


def _replace_tree(source: Path, destination: Path) -> None:
    # Copied afresh each time, so files deleted from the source disappear from the asset too.
    shutil.rmtree(destination, ignore_errors=True)
    shutil.copytree(source, destination, ignore=_IGNORED)


def _remove_distributions(site: Path, names: frozenset[str]) -> None:
    emptied: set[Path] = set()
    for distribution in metadata.distributions(path=[str(site)]):
        if _normalise(distribution.metadata["Name"]) not in names:
            continue
        for file in distribution.files or ():
            path = Path(str(file.locate())).resolve()
            if path.is_file() and path.is_relative_to(site.resolve()):
                path.unlink()
                emptied.add(path.parent)
    # the directories those files leave empty, deepest first
    for deepest in sorted(emptied, key=lambda path: len(path.parts), reverse=True):
        directory = deepest
        while directory != site.resolve() and directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()
            directory = directory.parent


def _normalise(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")

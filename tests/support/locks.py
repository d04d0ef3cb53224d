"""Reading the requirement files people edit and the hash-checked locks `make lock` makes of them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_REQUIREMENT = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(==\s*(?P<version>[^\s;]+))?")
_LOCKED = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)")


@dataclass(frozen=True)
class Locked:
    """One package of a lock: its exact version and how many hashes it may be installed from."""

    version: str
    hashes: int


def normalise(name: str) -> str:
    """A distribution's name as the package index compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements(path: Path) -> dict[str, str | None]:
    """The requirements of a file and the files it includes (`-r`): name -> pinned version or None."""
    found: dict[str, str | None] = {}
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-r "):
            found.update(requirements(path.parent / line.removeprefix("-r ").strip()))
            continue
        match = _REQUIREMENT.match(line)
        if match is None:
            raise ValueError(f"{path}: cannot read {raw!r}")
        found[normalise(match["name"])] = match["version"]
    return found


def read_lock(path: Path) -> dict[str, Locked]:
    """The packages of a lock as `uv pip compile --generate-hashes` writes it; anything at the start
    of a line that is not an exact pin is refused."""
    locked: dict[str, Locked] = {}
    current = None
    for line in path.read_text().splitlines():
        match = _LOCKED.match(line)
        if match:
            current = normalise(match["name"])
            locked[current] = Locked(match["version"], 0)
        elif line.strip().startswith("--hash=sha256:") and current is not None:
            locked[current] = Locked(locked[current].version, locked[current].hashes + 1)
        elif line and not line.startswith((" ", "#")):
            raise ValueError(f"{path}: not an exact pin: {line!r}")
    return locked

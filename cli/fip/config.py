"""Where `fip` finds the platform and the token: `FIP_API_URL` and `FIP_TOKEN` first, then its
config file (`FIP_CONFIG`, else `$XDG_CONFIG_HOME/fip/config.json`, else `~/.config/fip/config.json`).

The file holds a token, so it is written readable by its owner only (0600, in a 0700 folder), and a
token is not taken from a file others can read: ssh's rule for private keys."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fip.errors import CliError

OWNER_ONLY = 0o600
OWNER_ONLY_FOLDER = 0o700


def config_path() -> Path:
    """The config file's path (which may not exist yet)."""
    if named := os.environ.get("FIP_CONFIG"):
        return Path(named).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "fip" / "config.json"


def write_private(path: Path, data: dict[str, Any]) -> None:
    """Write JSON readable and writable by the owner alone, atomically: the file is made 0600 before
    anything is written to it, then moved over the old one."""
    path.parent.mkdir(mode=OWNER_ONLY_FOLDER, parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # made 0600
    try:
        with os.fdopen(descriptor, "w") as file:
            json.dump(data, file, indent=2)
        os.chmod(temporary, OWNER_ONLY)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_private(path: Path) -> dict[str, Any]:
    """A JSON file written by `write_private`; refused when others may read it (it holds a token)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return {}
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CliError(f"{path} may be read by others and holds a token: run `chmod 600 {path}` (or sign in again)")
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise CliError(f"cannot read {path}: {error}") from error
    if not isinstance(data, dict):
        raise CliError(f"{path} is not a JSON object: remove it and sign in again")
    return data


@dataclass
class Settings:
    """The platform's URL and the credentials to call it with."""

    api_url: str | None = None
    token: str | None = None
    refresh_token: str | None = None  # a signed-in session's, to renew its access token

    @classmethod
    def load(cls) -> Settings:
        """The environment's values over the config file's."""
        environment_token = os.environ.get("FIP_TOKEN") or None
        try:
            stored = read_private(config_path())
        except CliError:
            if environment_token is None:
                raise
            stored = {}  # its token is not used: the environment's is
        return cls(
            api_url=(os.environ.get("FIP_API_URL") or stored.get("api_url") or None),
            token=environment_token or stored.get("token"),
            refresh_token=None if environment_token else stored.get("refresh_token"),
        )

    def save(self, **changes: Any) -> Path:
        """Store these values in the config file, keeping the others."""
        path = config_path()
        data = {**read_private(path), **changes}
        write_private(path, {key: value for key, value in data.items() if value is not None})
        return path

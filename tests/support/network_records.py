"""Reading what `tests/support/network_audit` recorded of a process: whether each lookup, connection,
bind and datagram stayed on this machine."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

AUDIT_HOOK = Path(__file__).resolve().parent / "network_audit"
LOCAL_NAMES = {"localhost", None, ""}


def is_local(record: dict[str, object]) -> bool:
    """A lookup of loopback or of an address literal, or a socket address on loopback or a file."""
    target = record["target"]
    if record["what"] == "lookup":
        host = target
    elif isinstance(target, list):
        host = target[0]
    else:
        return True  # a Unix socket: a file on this machine
    if host in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(str(host)).is_loopback
    except ValueError:
        return False  # a name other than localhost: a DNS query


def audit_records(path: Path) -> list[dict[str, object]]:
    """Every record the audit hook wrote to `path`."""
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

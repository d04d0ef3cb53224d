"""Loaded by a Python started with this folder on PYTHONPATH: every name lookup, connection, bind
and datagram of that process goes to the JSON-lines file named by FIP_NETWORK_AUDIT_FILE, through
Python's audit hooks (PEP 578), so a test can check that the process stayed on loopback."""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import Any

AUDITED = {
    "socket.getaddrinfo": "lookup",
    "socket.gethostbyname": "lookup",
    "socket.gethostbyaddr": "lookup",
    "socket.connect": "connect",
    "socket.bind": "bind",
    "socket.sendto": "sendto",
}
_path = os.environ.get("FIP_NETWORK_AUDIT_FILE")
_lock = threading.Lock()


def _audit(event: str, args: tuple[Any, ...]) -> None:
    what = AUDITED.get(event)
    if what is None or _path is None:
        return
    target = args[0] if what == "lookup" else args[1]
    with _lock, open(_path, "a") as file:
        file.write(json.dumps({"what": what, "target": target}, default=repr) + "\n")


sys.addaudithook(_audit)

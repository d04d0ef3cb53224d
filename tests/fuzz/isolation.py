"""A network namespace where nothing can leave the machine: made with util-linux's `unshare --net`
(which needs root, as developers' machines and CI have), with its loopback brought up from here.

What `../shared/tools/loopback-only` does with `ip`, without needing iproute2."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import socket
import struct
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

_SIOCGIFFLAGS = 0x8913
_SIOCSIFFLAGS = 0x8914
_IFF_UP = 0x1
_IFREQ = "16sH14x"


def unshare_command() -> list[str]:
    """The command prefix that runs what follows in a new network namespace."""
    unshare = shutil.which("unshare")
    if unshare is None:
        raise FileNotFoundError("unshare (util-linux) is not installed")
    return [unshare, "--net", "--"]


def bring_loopback_up() -> None:
    """Set `lo` up in this process's network namespace (a new one has it down)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as control:
        request = struct.pack(_IFREQ, b"lo", 0)
        flags = struct.unpack(_IFREQ, fcntl.ioctl(control, _SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(control, _SIOCSIFFLAGS, struct.pack(_IFREQ, b"lo", flags | _IFF_UP))


def network_interfaces() -> list[str]:
    """The network interfaces this process can see."""
    return [name for _, name in socket.if_nameindex()]


def loopback_only() -> list[str] | None:
    """Bring `lo` up; None when it is the only interface this process can see, else the interfaces seen
    (then nothing that could reach out may start)."""
    bring_loopback_up()
    interfaces = network_interfaces()
    return None if interfaces == ["lo"] else interfaces


def isolated_command(leg: str) -> list[str]:
    """The prefix that runs a command where only loopback exists, or skip (or fail) the test of `leg`
    saying why not."""
    from tests.conftest import skip_or_fail  # only tests ask: the runner in the namespace never loads conftest

    try:
        prefix = unshare_command()
    except FileNotFoundError as missing:
        skip_or_fail(f"no network namespace for the {leg}: {missing}")
        raise
    probe = subprocess.run([*prefix, "true"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        skip_or_fail(f"no network namespace for the {leg} (run as root): {probe.stderr.strip()}")
    return prefix


def run_isolated(
    what: str,
    command: Sequence[str],
    output: Path,
    deadline_seconds: float,
    cwd: Path,
    env: Mapping[str, str] | None = None,
) -> str:
    """`run_to_the_end`, failing the test when `what` (the command) did not finish in time or did not
    succeed; answers its output."""
    status = run_to_the_end(command, output, deadline_seconds, cwd, env)
    if status is None:
        pytest.fail(f"{what} did not finish in {deadline_seconds} s:\n{output.read_text()[-20000:]}")
    text = output.read_text(errors="replace")
    assert status == 0, text[-30000:]
    return text


def run_to_the_end(
    command: Sequence[str], output: Path, deadline_seconds: float, cwd: Path, env: Mapping[str, str] | None = None
) -> int | None:
    """Run `command` (in a namespace: prefixed with `unshare_command()`) with its output into `output`;
    its exit status, or None when it did not finish in time (then its whole process group is killed)."""
    with output.open("wb") as sink:
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=None if env is None else dict(env),
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so that a hung run is stopped whole
        )
        try:
            return process.wait(timeout=deadline_seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return None

"""The event loop outbound calls run on."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import uvloop


def run[T](calls: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine of outbound calls to the end on a fresh uvloop (libuv's loop): a sweep of a
    thousand probes spends most of its own CPU in the loop's per-connection work, which uvloop does
    in a fraction of asyncio's time (`python -m bench.health_sweep` prints both)."""
    return asyncio.run(calls, loop_factory=uvloop.new_event_loop)

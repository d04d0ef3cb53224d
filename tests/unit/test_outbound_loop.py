"""The loop outbound calls run on."""

import asyncio

import pytest
import uvloop

from fip_core.outbound.loop import run


async def _loop_type() -> type:
    await asyncio.sleep(0)
    return type(asyncio.get_running_loop())


def test_outbound_calls_run_on_uvloop():
    assert run(_loop_type()) is uvloop.Loop


def test_a_failure_inside_comes_out_as_it_was():
    async def fails() -> None:
        raise LookupError("no such service")

    with pytest.raises(LookupError, match="no such service"):
        run(fails())

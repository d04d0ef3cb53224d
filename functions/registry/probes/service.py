"""One entry point for probing a service of either API type within a time limit."""

from __future__ import annotations

import asyncio
import time

import httpx

from registry.models.common import ApiType, HealthStatus
from registry.models.health import ProbeOutcome
from registry.probes.cloudgene import probe_cloudgene
from registry.probes.wes import probe_wes


async def probe_service(
    client: httpx.AsyncClient, api_type: ApiType | str, base_url: str, timeout_seconds: float, *, detailed: bool = False
) -> ProbeOutcome:
    """Probe a service; a probe that takes longer than the limit is abandoned and unhealthy."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout_seconds):
            if ApiType(api_type) is ApiType.MICHIGAN:
                return await probe_cloudgene(client, base_url, with_counters=detailed)
            return await probe_wes(client, base_url)
    except TimeoutError:
        return ProbeOutcome(
            status=HealthStatus.UNHEALTHY,
            checked_url=base_url,
            error=f"no complete answer within {timeout_seconds:g} s (waited {time.perf_counter() - started:.1f} s)",
        )

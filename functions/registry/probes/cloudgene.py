"""Probe of a Cloudgene imputation server (Michigan, TOPMed, H3Africa) through its API v2.

`GET /api/v2/server` is anonymous and says whether the server is in maintenance: cloudgene3's
`ServerService.getRoot` (and Cloudgene 2's `Server` resource) send the flag as `maintenace`, sic,
with `maintenaceMessage`; the correct spelling is read too, should a server ever fix it.
`GET /api/v2/server/counters` (`CounterResponse`) gives `queue.size`, the service's load: asked at
the same time as the server info, so a check takes one round trip, and a server whose counters do
not answer is still judged by its server info (its load then unknown).
"""

from __future__ import annotations

import asyncio
from typing import Any

from fip_core.outbound.client import OutboundClient
from registry.models.common import HealthStatus
from registry.models.health import CloudgeneDetails, ProbeOutcome
from registry.probes.http import get_json, outcome

_MAINTENANCE_KEYS = ("maintenace", "maintenance")


async def probe_cloudgene(client: OutboundClient, base_url: str) -> ProbeOutcome:
    """Healthy when the server answers with its server info and is not in maintenance."""
    answer, counters = await asyncio.gather(
        get_json(client, f"{base_url}/api/v2/server"), get_json(client, f"{base_url}/api/v2/server/counters")
    )
    if answer.error:
        return outcome(answer, HealthStatus.UNHEALTHY, error=answer.error)
    info = answer.document
    flags = [info[key] for key in _MAINTENANCE_KEYS if key in info] if isinstance(info, dict) else []
    if not flags or not all(isinstance(flag, bool) for flag in flags):
        return outcome(answer, HealthStatus.UNHEALTHY, error="not a Cloudgene answer")
    queue_size = _queue_size(counters.document)
    details = CloudgeneDetails(name=_text(info.get("name")), maintenance=any(flags), queue_size=queue_size)
    if details.maintenance:
        return outcome(answer, HealthStatus.UNHEALTHY, error="in maintenance", details=details)
    return outcome(answer, HealthStatus.HEALTHY, details=details)


def _queue_size(counters: Any) -> int | None:
    queue = counters.get("queue") if isinstance(counters, dict) else None
    size = queue.get("size") if isinstance(queue, dict) else None
    return size if isinstance(size, int) and not isinstance(size, bool) and 0 <= size <= 1_000_000_000 else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None

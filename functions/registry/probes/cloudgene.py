"""Probe of a Cloudgene 3 imputation server (Michigan, TOPMed, H3Africa) through its API v2.

`GET /api/v2/server` is anonymous and says whether the server is in maintenance; `GET
/api/v2/server/counters` gives the queue, the service's load.
"""

from __future__ import annotations

from typing import Any

import httpx

from registry.models.common import HealthStatus
from registry.models.health import ProbeOutcome
from registry.probes.http import get_json, outcome

_SERVER_FIELDS = ("name", "version", "maintenance", "blocked")


async def probe_cloudgene(client: httpx.AsyncClient, base_url: str, *, with_counters: bool = False) -> ProbeOutcome:
    """Healthy when the server answers with its server info and is not in maintenance."""
    answer = await get_json(client, f"{base_url}/api/v2/server")
    if answer.error:
        return outcome(answer, HealthStatus.UNHEALTHY, error=answer.error)
    info = answer.document
    if not isinstance(info, dict) or not any(field in info for field in _SERVER_FIELDS):
        return outcome(
            answer,
            HealthStatus.UNHEALTHY,
            error=f"{answer.url} answered JSON that is not Cloudgene server info (no name, version or maintenance)",
        )
    details: dict[str, Any] = {
        "name": _text(info.get("name")),
        "version": _text(info.get("version")),
        "maintenance": bool(info.get("maintenance", False)),
        "blocked": bool(info.get("blocked", False)),
    }
    if with_counters:
        counters = await get_json(client, f"{base_url}/api/v2/server/counters")
        details["counters"] = counters.document if isinstance(counters.document, dict) else None
        if counters.error:
            details["counters_error"] = counters.error
    if details["maintenance"]:
        message = _text(info.get("maintenanceMessage") or info.get("maintenance_message"))
        error = "the server is in maintenance mode" + (f": {message}" if message else "")
        return outcome(answer, HealthStatus.UNHEALTHY, error=error, details=details)
    return outcome(answer, HealthStatus.HEALTHY, details=details)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)[:500]

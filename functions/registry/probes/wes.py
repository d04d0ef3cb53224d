"""Probe of a GA4GH Workflow Execution Service node through `GET /service-info`.

The base URL may or may not carry the spec's `/ga4gh/wes/v1` prefix (sapporo serves none unless
told to), and `supported_wes_versions` may hold vendor strings such as `sapporo-wes-2.1.0`: both
are tolerated.
"""

from __future__ import annotations

from typing import Any

import httpx

from registry.models.common import HealthStatus
from registry.models.health import ProbeOutcome
from registry.probes.http import get_json, outcome

WES_PREFIX = "/ga4gh/wes/v1"
_REPORTED = (
    "supported_wes_versions",
    "workflow_type_versions",
    "workflow_engine_versions",
    "system_state_counts",
    "auth_instructions_url",
    "supported_filesystem_protocols",
)


def service_info_urls(base_url: str) -> list[str]:
    """Where service-info may be, most likely first."""
    if base_url.endswith(WES_PREFIX):
        return [f"{base_url}/service-info"]
    return [f"{base_url}{WES_PREFIX}/service-info", f"{base_url}/service-info"]


async def probe_wes(client: httpx.AsyncClient, base_url: str) -> ProbeOutcome:
    """Healthy when service-info answers with the fields of a WES service-info."""
    *preferred, last = service_info_urls(base_url)
    for url in preferred:
        answer = await get_json(client, url)
        if answer.http_status != 404:
            break
    else:
        answer = await get_json(client, last)
    if answer.error:
        wants_credentials = " (the node wants credentials)" if answer.http_status in (401, 403) else ""
        return outcome(answer, HealthStatus.UNHEALTHY, error=answer.error + wants_credentials)
    info = answer.document
    if not isinstance(info, dict) or not (
        isinstance(info.get("supported_wes_versions"), list) or isinstance(info.get("workflow_type_versions"), dict)
    ):
        return outcome(
            answer,
            HealthStatus.UNHEALTHY,
            error=f"{answer.url} answered JSON without WES fields (supported_wes_versions, workflow_type_versions)",
        )
    details: dict[str, Any] = {key: info[key] for key in _REPORTED if key in info}
    details["api_url"] = answer.url.removesuffix("/service-info")
    for key in ("id", "name", "version", "type", "organization"):
        if key in info:
            details[key] = info[key]
    return outcome(answer, HealthStatus.HEALTHY, details=details)

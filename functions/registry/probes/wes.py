"""Probe of a GA4GH Workflow Execution Service node through `GET /service-info`.

The base URL may or may not carry the spec's `/ga4gh/wes/v1` prefix (sapporo serves none unless
told to), and `supported_wes_versions` may hold vendor strings such as `sapporo-wes-2.1.0`: both
are tolerated. WES 1.0 gives engine versions as plain strings, 1.1 as objects: both are read.
"""

from __future__ import annotations

from typing import Any

from fip_core.outbound.client import OutboundClient
from registry.models.common import HealthStatus
from registry.models.health import ProbeOutcome, WesDetails
from registry.probes.http import get_json, outcome

WES_PREFIX = "/ga4gh/wes/v1"
_LISTED = 20  # the most entries of any list or map kept from an answer


def service_info_urls(base_url: str) -> list[str]:
    """Where service-info may be, most likely first."""
    if base_url.endswith(WES_PREFIX):
        return [f"{base_url}/service-info"]
    return [f"{base_url}{WES_PREFIX}/service-info", f"{base_url}/service-info"]


async def probe_wes(client: OutboundClient, base_url: str) -> ProbeOutcome:
    """Healthy when service-info answers with the fields of a WES service-info."""
    *preferred, last = service_info_urls(base_url)
    for url in preferred:
        answer = await get_json(client, url)
        if answer.http_status != 404:
            break
    else:
        answer = await get_json(client, last)
    if answer.error:
        return outcome(answer, HealthStatus.UNHEALTHY, error=answer.error)
    info = answer.document
    if not isinstance(info, dict) or not (
        isinstance(info.get("supported_wes_versions"), list) or isinstance(info.get("workflow_type_versions"), dict)
    ):
        return outcome(answer, HealthStatus.UNHEALTHY, error="not a WES answer")
    details = WesDetails(
        api_url=answer.url.removesuffix("/service-info"),
        id=_text(info.get("id")),
        name=_text(info.get("name")),
        version=_text(info.get("version")),
        supported_wes_versions=_strings(info.get("supported_wes_versions")),
        workflow_type_versions=_versions(info.get("workflow_type_versions"), "workflow_type_version"),
        workflow_engine_versions=_versions(info.get("workflow_engine_versions"), "workflow_engine_version"),
        system_state_counts={
            state: count
            for state, count in _entries(info.get("system_state_counts"))
            if isinstance(count, int) and not isinstance(count, bool) and 0 <= count <= 1_000_000_000
        },
        auth_instructions_url=_web_url(info.get("auth_instructions_url")),
    )
    return outcome(answer, HealthStatus.HEALTHY, details=details)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)][:_LISTED] if isinstance(value, list) else []


def _entries(value: Any) -> list[tuple[str, Any]]:
    return (
        [(key, item) for key, item in value.items() if isinstance(key, str)][:_LISTED]
        if isinstance(value, dict)
        else []
    )


def _versions(value: Any, field: str) -> dict[str, list[str]]:
    """`{"CWL": {"workflow_type_version": ["v1.2"]}}` (WES 1.1) or `{"cwltool": "3.1"}` (WES 1.0
    engines) as `{"CWL": ["v1.2"]}`."""
    versions = {}
    for name, entry in _entries(value):
        if isinstance(entry, dict):
            versions[name] = _strings(entry.get(field))
        elif isinstance(entry, str):
            versions[name] = [entry]
    return versions


def _web_url(value: Any) -> str | None:
    if isinstance(value, str) and value.startswith(("https://", "http://")) and len(value) <= 2048:
        return value if value.isprintable() and " " not in value else None
    return None

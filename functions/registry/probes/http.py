"""Fetching a small JSON document from a service through the outbound client; every way it can
fail becomes one of the probe's short error words, never the far side's own text."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from fip_core.observability import observability
from fip_core.outbound.client import OutboundClient
from fip_core.outbound.policy import OutboundError
from registry.models.common import HealthStatus
from registry.models.health import ProbeDetails, ProbeOutcome
from registry.settings import DOMAIN

MAX_BODY_BYTES = 1_048_576  # a service-info document is a few kB; anything this big is not one
ACCEPT_JSON = {"Accept": "application/json"}


@dataclass(frozen=True)
class JsonAnswer:
    """What a GET of a JSON document gave: the parsed document, or why there is none."""

    url: str
    http_status: int | None
    elapsed_ms: float
    document: Any = None
    error: str | None = None


async def get_json(
    client: OutboundClient, url: str, *, headers: dict[str, str] | None = None, max_body_bytes: int = MAX_BODY_BYTES
) -> JsonAnswer:
    """GET a URL (with these headers beside Accept) and parse its JSON body; never raises for what the
    far side does. Headers are never logged: they may carry a token."""
    started = time.perf_counter()
    try:
        response = await client.get(url, max_body_bytes=max_body_bytes, headers={**ACCEPT_JSON, **(headers or {})})
    except OutboundError as error:
        # the detail may quote the far side (a certificate's names, a resolver's message): logs only
        observability(DOMAIN).logger.info("probe request failed", extra={"url": url, "reason": str(error)})
        return JsonAnswer(url, None, _since(started), error=error.kind)
    elapsed = _since(started)
    if not 200 <= response.status < 300:
        return JsonAnswer(url, response.status, elapsed, error=f"HTTP {response.status}")
    try:
        document = json.loads(response.body)
    except ValueError:  # UnicodeDecodeError among them
        return JsonAnswer(url, response.status, elapsed, error="not JSON")
    return JsonAnswer(url, response.status, elapsed, document=document)


def outcome(
    answer: JsonAnswer, status: HealthStatus, *, error: str | None = None, details: ProbeDetails | None = None
) -> ProbeOutcome:
    """What a probe found from the answer it judged; a response time only when something answered."""
    return ProbeOutcome(
        status=status,
        checked_url=answer.url,
        http_status=answer.http_status,
        response_time_ms=answer.elapsed_ms if answer.http_status else None,
        error=error,
        details=details,
    )


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)

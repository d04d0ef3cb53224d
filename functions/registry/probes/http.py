"""Fetching a small JSON document from a service, with bounded size and precise error messages."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

from registry.models.common import HealthStatus
from registry.models.health import ProbeOutcome
from registry.probes.transport import SingleUseConnectionTransport

MAX_BODY_BYTES = 1_048_576  # a service-info document is a few kB; anything this big is not one
USER_AGENT = "federated-imputation-platform/0.1 (health check)"


def probe_client(timeout_seconds: float) -> httpx.AsyncClient:
    """The one client a sweep shares among all its checks."""
    return httpx.AsyncClient(
        transport=SingleUseConnectionTransport(),
        timeout=httpx.Timeout(timeout_seconds),
        follow_redirects=True,
        max_redirects=3,
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
    )


@dataclass(frozen=True)
class JsonAnswer:
    """What a GET of a JSON document gave: the parsed document, or why there is none."""

    url: str
    http_status: int | None
    elapsed_ms: float
    document: Any = None
    error: str | None = None


async def get_json(client: httpx.AsyncClient, url: str) -> JsonAnswer:  # noqa: PLR0911 - a return per way to fail
    """GET a URL and parse its JSON body; never raises for what the far side does."""
    started = time.perf_counter()
    try:
        async with client.stream("GET", url) as response:
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_BODY_BYTES:
                    return JsonAnswer(
                        url, response.status_code, _since(started), error=f"{url} answered more than 1 MiB"
                    )
            elapsed = _since(started)
            status = response.status_code
    except httpx.TimeoutException:
        return JsonAnswer(url, None, _since(started), error=f"{url} did not answer in time")
    except httpx.ConnectError as error:
        return JsonAnswer(url, None, _since(started), error=f"could not connect to {url}: {_reason(error)}")
    except httpx.TooManyRedirects:
        return JsonAnswer(url, None, _since(started), error=f"{url} redirected too many times")
    except httpx.HTTPError as error:
        return JsonAnswer(url, None, _since(started), error=f"{url} failed: {_reason(error)}")
    if status >= 400:
        return JsonAnswer(url, status, elapsed, error=f"{url} answered HTTP {status}")
    try:
        document = json.loads(bytes(body))
    except ValueError:
        return JsonAnswer(url, status, elapsed, error=f"{url} answered with something that is not JSON")
    return JsonAnswer(url, status, elapsed, document=document)


def outcome(
    answer: JsonAnswer, status: HealthStatus, *, error: str | None = None, details: dict[str, Any] | None = None
) -> ProbeOutcome:
    """What a probe found from the answer it judged; a response time only when something answered."""
    return ProbeOutcome(
        status=status,
        checked_url=answer.url,
        http_status=answer.http_status,
        response_time_ms=answer.elapsed_ms if answer.http_status else None,
        error=error,
        details=details or {},
    )


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def _reason(error: Exception) -> str:
    text = str(error).strip()
    return text if text else type(error).__name__

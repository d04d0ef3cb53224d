"""A prober for tests of the sweep's logic: it answers from a script instead of the network, and can
act (delete a service, run another sweep) while a check is in flight."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from registry.models.common import ApiType, HealthStatus
from registry.models.health import CloudgeneDetails, ProbeOutcome

HEALTHY = ProbeOutcome(
    status=HealthStatus.HEALTHY,
    checked_url="scripted",
    http_status=200,
    response_time_ms=12.5,
    details=CloudgeneDetails(name="Scripted", maintenance=False),
)


class ScriptedProber:
    """Implements the registry's `Prober` port from a script: each base URL answers its outcome (or
    raises its exception), healthy when unscripted; `during` runs with each URL as it is probed."""

    def __init__(
        self,
        script: dict[str, ProbeOutcome | BaseException] | None = None,
        during: Callable[[str], None] | None = None,
    ) -> None:
        self.script = script or {}
        self.during = during
        self.probed: list[str] = []
        self.in_flight = 0
        self.most_in_flight = 0

    async def probe(self, api_type: ApiType, base_url: str) -> ProbeOutcome:
        self.probed.append(base_url)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0)  # let the other checks start, as real probes would while waiting
            if self.during is not None:
                self.during(base_url)
            answer = self.script.get(base_url, HEALTHY)
            if isinstance(answer, BaseException):
                raise answer
            return answer.model_copy(update={"checked_url": f"{base_url}/api/v2/server"})
        finally:
            self.in_flight -= 1


class NeverAnswers:
    """A prober whose probes wait forever, as one to a service that accepts and never answers."""

    async def probe(self, api_type: ApiType, base_url: str) -> ProbeOutcome:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

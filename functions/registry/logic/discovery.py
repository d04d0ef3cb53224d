"""Ranking the services that offer a panel on a build: the choice `auto` makes for a job.

Every active service with a panel of that name on that build is listed. One that cannot take a job
now (unhealthy, not yet checked, the panel marked unavailable, the build not taken) is ranked out
with the reason. The others are scored from 0 to 100, a weighted mean of factors each between 0 and
1 (`rank`), best first: health (uptime over the last 24 hours), queue load (jobs queued and running
as the last check reported), latency (of that check), distance from where the data is (when the
caller says) and how exactly the panel's name matched. Each factor halves at a set point and never
reaches 0, so no single factor rules a service out; a factor the registry does not know counts 0.5.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from registry.dal.repository import RegistryRepository
from registry.domain import PanelRecord, ServiceRecord, UptimeShares
from registry.logic.api_models import job_panel_values
from registry.logic.ports import Transaction
from registry.models.common import ApiType, HealthStatus
from registry.models.discovery import (
    Coordinates,
    Discovery,
    DiscoveryRequest,
    Factor,
    RankedService,
    ScoreReason,
)
from registry.models.panels import panel_names

WEIGHTS = {
    Factor.HEALTH: 0.30,
    Factor.QUEUE_LOAD: 0.25,
    Factor.LATENCY: 0.15,
    Factor.DISTANCE: 0.20,
    Factor.PANEL_MATCH: 0.10,
}
QUEUE_HALF = 10  # jobs queued or running at which the queue factor is 0.5
LATENCY_HALF_MS = 1000.0  # probe response time at which the latency factor is 0.5
DISTANCE_HALF_KM = 2000.0  # distance at which the distance factor is 0.5
UNKNOWN = 0.5  # a factor the registry does not know: neither rewarded nor punished
EQUIVALENT_NAME = 0.9  # Cloudgene's `apps@<id>` and `<id>` name the same panel, but not as the caller wrote it
EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG)


@dataclass(frozen=True)
class Candidate:
    """A service with its panel that matched the request, and what the registry knows of its uptime."""

    service: ServiceRecord
    panel: PanelRecord
    exact_name: bool
    uptime_24h: float | None


def haversine_km(a: Coordinates, b: Coordinates) -> float:
    """The great-circle distance between two points, in kilometres."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat, dlon = lat2 - lat1, math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def halving(amount: float, half: float) -> float:
    """1 at nothing, 0.5 at `half`, towards 0 beyond."""
    return 1.0 / (1.0 + max(amount, 0.0) / half)


def matches(panel: PanelRecord, service: ServiceRecord, reference: str) -> bool | None:
    """Whether the panel is the one named: True exactly (its slug or id), False by Cloudgene's other
    form of the same name, None not at all."""
    if reference in (panel.slug, panel.id):
        return True
    if service.api_type is ApiType.MICHIGAN and panel.slug in panel_names(reference):
        return False
    return None


def ranked_out(candidate: Candidate, request: DiscoveryRequest) -> str | None:
    """Why the service cannot take the job now, or None."""
    service = candidate.service
    if service.health.status is HealthStatus.UNKNOWN:
        return "not checked yet: its first health check is due"
    if service.health.status is HealthStatus.UNHEALTHY:
        return f"unhealthy: {service.health.last_error or 'its last check failed'}"
    if service.api_type is ApiType.GA4GH_WES and service.workflow is None:
        return "no workflow is set for this WES service: it takes no jobs until an administrator sets one"
    if not candidate.panel.is_available:
        return f"the panel {candidate.panel.slug} is marked unavailable on this service"
    if request.build not in service.supported_builds:
        return f"the service does not take {request.build.value} input"
    return None


def reasons(candidate: Candidate, request: DiscoveryRequest) -> tuple[list[ScoreReason], float | None]:
    """Each factor of the candidate's score, and its distance from `near` (if both are known)."""
    service, health = candidate.service, candidate.service.health
    found: list[ScoreReason] = []

    def add(factor: Factor, value: float, detail: str, *, applies: bool = True) -> None:
        found.append(ScoreReason(factor=factor, value=round(value, 4), weight=WEIGHTS[factor] * applies, detail=detail))

    if candidate.uptime_24h is None:
        add(Factor.HEALTH, 1.0, f"{health.status.value} at its last check; no checks in the last 24 hours")
    else:
        add(
            Factor.HEALTH,
            candidate.uptime_24h / 100,
            f"{health.status.value} at its last check; {candidate.uptime_24h:g}% of checks healthy in 24 hours",
        )
    if health.queue_load is None:
        add(Factor.QUEUE_LOAD, UNKNOWN, "queue load not reported by the service")
    else:
        add(Factor.QUEUE_LOAD, halving(health.queue_load, QUEUE_HALF), f"{health.queue_load} jobs queued or running")
    if health.response_time_ms is None:
        add(Factor.LATENCY, UNKNOWN, "no response time recorded")
    else:
        add(
            Factor.LATENCY,
            halving(health.response_time_ms, LATENCY_HALF_MS),
            f"answered its last check in {health.response_time_ms:.0f} ms",
        )
    distance = None
    if request.near is None:
        add(Factor.DISTANCE, UNKNOWN, "not weighed: no 'near' given", applies=False)
    elif service.latitude is None or service.longitude is None:
        add(Factor.DISTANCE, UNKNOWN, "the service's coordinates are not registered")
    else:
        distance = round(
            haversine_km(request.near, Coordinates(latitude=service.latitude, longitude=service.longitude)), 1
        )
        add(Factor.DISTANCE, halving(distance, DISTANCE_HALF_KM), f"{distance:g} km from the given point")
    panel = candidate.panel
    if candidate.exact_name:
        add(Factor.PANEL_MATCH, 1.0, f"offers {panel.slug} on {panel.build.value}")
    else:
        add(
            Factor.PANEL_MATCH,
            EQUIVALENT_NAME,
            f"offers {panel.slug} on {panel.build.value}, the same Cloudgene panel as {request.panel}",
        )
    return found, distance


def score(factors: Sequence[ScoreReason]) -> float:
    """The weighted mean of the factors that apply, from 0 to 100."""
    total = sum(reason.weight for reason in factors)
    return round(100 * sum(reason.weight * reason.value for reason in factors) / total, 1)


def rank(candidates: Sequence[Candidate], request: DiscoveryRequest) -> list[RankedService]:
    """The candidates best first, those ranked out last (by name), each with its reasons."""
    scored: list[tuple[float, RankedService]] = []
    out: list[RankedService] = []
    for candidate in candidates:
        factors, distance = reasons(candidate, request)
        why_not = ranked_out(candidate, request)
        entry = _entry(candidate, factors, distance, why_not)
        if why_not is None:
            scored.append((score(factors), entry))
        else:
            out.append(entry)
    scored.sort(key=lambda pair: (-pair[0], pair[1].name.lower(), str(pair[1].service_id)))
    out.sort(key=lambda entry: (entry.name.lower(), str(entry.service_id)))
    ranked = [
        entry.model_copy(update={"rank": place, "score": value}) for place, (value, entry) in enumerate(scored, 1)
    ]
    return ranked + out


def _entry(
    candidate: Candidate, factors: list[ScoreReason], distance: float | None, why_not: str | None
) -> RankedService:
    service, panel = candidate.service, candidate.panel
    return RankedService.model_validate(
        {
            "rank": None,
            "service_id": service.id,
            "slug": service.slug,
            "name": service.name,
            "api_type": service.api_type,
            "country": service.country,
            "score": None,
            "ranked_out": why_not,
            "reasons": factors,
            "panel": job_panel_values(panel),
            "health": service.health.status,
            "queue_load": service.health.queue_load,
            "response_time_ms": service.health.response_time_ms,
            "distance_km": distance,
        }
    )


def candidates(repo: RegistryRepository, request: DiscoveryRequest, now: datetime) -> list[Candidate]:
    """The active services with a panel of the requested name on the requested build, each with its
    best-matching panel (available before unavailable, the exact name before the other form)."""
    panels = repo.panels.named(panel_names(request.panel), request.build)
    services = {service.id: service for service in repo.services.active_among({p.service_id for p in panels})}
    best: dict[str, tuple[PanelRecord, bool]] = {}
    for panel in panels:
        service = services.get(panel.service_id)
        if service is None or (exact := matches(panel, service, request.panel)) is None:
            continue
        current = best.get(service.id)
        if current is None or (panel.is_available, exact) > (current[0].is_available, current[1]):
            best[service.id] = (panel, exact)
    uptime = repo.health.uptime(now, list(best)) if best else {}
    unchecked = UptimeShares()
    return [
        Candidate(services[service_id], panel, exact, uptime.get(service_id, unchecked).last_24h)
        for service_id, (panel, exact) in best.items()
    ]


def discover(reading: Transaction, request: DiscoveryRequest, now: datetime) -> Discovery:
    """The ranking of the services that offer the panel on the build."""
    with reading() as repo:
        found = candidates(repo, request, now)
    return Discovery(panel=request.panel, build=request.build, near=request.near, services=rank(found, request))

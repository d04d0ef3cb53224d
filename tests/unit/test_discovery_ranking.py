"""The ranking `auto` submission chooses from: distances, factors, scores, and who is ranked out why."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from registry.domain import HealthState, PanelRecord, ServiceRecord
from registry.logic.discovery import (
    DISTANCE_HALF_KM,
    WEIGHTS,
    Candidate,
    halving,
    haversine_km,
    matches,
    rank,
    score,
)
from registry.models.common import ApiType, GenomeBuild, HealthStatus
from registry.models.discovery import Coordinates, DiscoveryRequest, Factor

NOW = datetime(2026, 12, 2, tzinfo=UTC)
CAPE_TOWN = Coordinates(latitude=-33.92, longitude=18.42)
HEALTHY = HealthState(status=HealthStatus.HEALTHY, response_time_ms=200.0, queue_load=0, last_checked_at=NOW)


def service(name: str, **changes: object) -> ServiceRecord:
    record = ServiceRecord(
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, name)), slug=name.lower(), name=name,
        api_type=ApiType.MICHIGAN, base_url=f"https://{name.lower()}.example.org", description="", institution=None,
        institution_url=None, documentation_url=None, contact_url=None, country="ZA", city=None,
        latitude=CAPE_TOWN.latitude, longitude=CAPE_TOWN.longitude,
        supported_builds=[GenomeBuild.HG19, GenomeBuild.HG38], max_upload_size_mb=None, requires_user_token=True,
        is_active=True, deactivated_reason=None, created_at=NOW, updated_at=NOW, health=HEALTHY,
    )  # fmt: skip
    return replace(record, **changes)  # type: ignore[arg-type]


def panel(of: ServiceRecord, slug: str = "apps@1000g-phase-3-v5", **changes: object) -> PanelRecord:
    record = PanelRecord(
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, of.id + slug)), service_id=of.id, slug=slug,
        display_name="1000G", build=GenomeBuild.HG19, populations=["afr", "eur"], sample_count=2504,
        is_available=True, description="", created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    return replace(record, **changes)  # type: ignore[arg-type]


def candidate(
    of: ServiceRecord, *, uptime: float | None = 100.0, exact: bool = True, is_available: bool = True
) -> Candidate:
    return Candidate(of, panel(of, is_available=is_available), exact, uptime)


def request(near: Coordinates | None = None, panel_name: str = "apps@1000g-phase-3-v5") -> DiscoveryRequest:
    return DiscoveryRequest(panel=panel_name, build=GenomeBuild.HG19, near=near)


def test_haversine_gives_great_circle_distances():
    london, paris = Coordinates(latitude=51.5074, longitude=-0.1278), Coordinates(latitude=48.8566, longitude=2.3522)
    assert haversine_km(london, paris) == pytest.approx(343.6, abs=1.0)
    assert haversine_km(CAPE_TOWN, CAPE_TOWN) == 0.0
    pole, other_pole = Coordinates(latitude=90.0, longitude=0.0), Coordinates(latitude=-90.0, longitude=0.0)
    assert haversine_km(pole, other_pole) == pytest.approx(20_015.1, abs=1.0)  # half the circumference
    across_the_date_line = haversine_km(
        Coordinates(latitude=0.0, longitude=179.5), Coordinates(latitude=0.0, longitude=-179.5)
    )
    assert across_the_date_line == pytest.approx(111.2, abs=0.5)


def test_a_factor_halves_at_its_set_point_and_never_reaches_zero():
    assert halving(0, 10) == 1.0
    assert halving(10, 10) == 0.5
    assert 0 < halving(10_000, 10) < 0.01
    assert halving(-5, 10) == 1.0  # nothing is better than nothing


def test_the_least_loaded_nearest_fastest_service_ranks_first_with_its_reasons():
    near = service("Near", latitude=-33.9, longitude=18.4)
    busy = service("Busy", health=replace(HEALTHY, queue_load=40))
    far = service("Far", latitude=42.28, longitude=-83.74)  # Ann Arbor
    slow = service("Slow", health=replace(HEALTHY, response_time_ms=4000.0))
    ranked = rank([candidate(s) for s in (slow, far, busy, near)], request(CAPE_TOWN))
    assert [entry.name for entry in ranked] == ["Near", "Slow", "Far", "Busy"]
    assert [entry.rank for entry in ranked] == [1, 2, 3, 4]
    assert all(entry.ranked_out is None and entry.score is not None for entry in ranked)
    scores = [entry.score or 0.0 for entry in ranked]
    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) == 4
    first = {reason.factor: reason for reason in ranked[0].reasons}
    assert set(first) == set(Factor)
    assert first[Factor.QUEUE_LOAD].detail == "0 jobs queued or running"
    assert first[Factor.DISTANCE].value > 0.99
    assert ranked[2].distance_km == pytest.approx(13_400, rel=0.02)
    assert "km from the given point" in {r.factor: r for r in ranked[2].reasons}[Factor.DISTANCE].detail


def test_a_score_is_the_weighted_mean_of_the_factors_that_apply():
    only = rank([candidate(service("Only"))], request())[0]
    distance = {reason.factor: reason for reason in only.reasons}[Factor.DISTANCE]
    assert (distance.weight, distance.detail) == (0.0, "not weighed: no 'near' given")
    expected = sum(r.weight * r.value for r in only.reasons) / (sum(WEIGHTS.values()) - WEIGHTS[Factor.DISTANCE])
    assert only.score == round(100 * expected, 1)
    assert score(only.reasons) == only.score
    assert 0 <= only.score <= 100


def test_what_the_registry_does_not_know_counts_half():
    unknown = service("Unknown", health=replace(HEALTHY, queue_load=None, response_time_ms=None), latitude=None,
                      longitude=None)  # fmt: skip
    reasons = {r.factor: r for r in rank([candidate(unknown, uptime=None)], request(CAPE_TOWN))[0].reasons}
    assert reasons[Factor.QUEUE_LOAD].value == 0.5
    assert reasons[Factor.LATENCY].value == 0.5
    assert (reasons[Factor.DISTANCE].value, reasons[Factor.DISTANCE].weight) == (0.5, WEIGHTS[Factor.DISTANCE])
    assert reasons[Factor.DISTANCE].detail == "the service's coordinates are not registered"
    assert reasons[Factor.HEALTH].value == 1.0  # healthy now, no history to say otherwise
    assert "no checks in the last 24 hours" in reasons[Factor.HEALTH].detail


def test_uptime_and_the_panels_name_weigh_in():
    steady, flaky = service("Steady"), service("Flaky")
    ranked = rank([candidate(flaky, uptime=50.0), candidate(steady)], request())
    assert [entry.name for entry in ranked] == ["Steady", "Flaky"]
    assert "50% of checks healthy in 24 hours" in ranked[1].reasons[0].detail
    exact, other_form = service("Exact"), service("Other form")
    ranked = rank([candidate(other_form, exact=False), candidate(exact)], request())
    assert [entry.name for entry in ranked] == ["Exact", "Other form"]
    assert "the same Cloudgene panel as apps@1000g-phase-3-v5" in ranked[1].reasons[-1].detail


def test_services_that_cannot_take_a_job_are_ranked_out_last_with_the_reason():
    down = service("Down", health=HealthState(status=HealthStatus.UNHEALTHY, last_error="timed out"))
    new = service("New", health=HealthState(status=HealthStatus.UNKNOWN))
    withdrawn = service("Withdrawn")
    hg38_only = service("Hg38 only", supported_builds=[GenomeBuild.HG38])
    fine = service("Zulu fine")
    ranked = rank(
        [candidate(down), candidate(new), candidate(withdrawn, is_available=False), candidate(hg38_only),
         candidate(fine)],
        request(),
    )  # fmt: skip
    assert [(entry.name, entry.rank) for entry in ranked] == [
        ("Zulu fine", 1), ("Down", None), ("Hg38 only", None), ("New", None), ("Withdrawn", None),
    ]  # fmt: skip
    why = {entry.name: entry.ranked_out for entry in ranked}
    assert why["Down"] == "unhealthy: timed out"
    assert why["New"] == "not checked yet: its first health check is due"
    assert why["Withdrawn"] == "the panel apps@1000g-phase-3-v5 is marked unavailable on this service"
    assert why["Hg38 only"] == "the service does not take hg19 input"
    assert all(entry.score is None for entry in ranked[1:])
    assert all(entry.reasons for entry in ranked)  # the reasons are shown for them too


def test_equal_services_are_ordered_by_name():
    ranked = rank([candidate(service(name)) for name in ("beta", "Alpha", "gamma")], request())
    assert [entry.name for entry in ranked] == ["Alpha", "beta", "gamma"]
    assert len({entry.score for entry in ranked}) == 1


def test_a_panel_matches_by_slug_id_or_cloudgenes_other_form_of_its_name():
    cloudgene, wes = service("Michigan"), service("Node", api_type=ApiType.GA4GH_WES)
    registered = panel(cloudgene, "apps@1000g-phase-3-v5")
    assert matches(registered, cloudgene, "apps@1000g-phase-3-v5") is True
    assert matches(registered, cloudgene, registered.id) is True
    assert matches(registered, cloudgene, "1000g-phase-3-v5") is False  # the same panel, named the other way
    assert matches(panel(cloudgene, "1000g-phase-3-v5"), cloudgene, "apps@1000g-phase-3-v5") is False
    assert matches(registered, cloudgene, "hrc-r1.1") is None
    assert matches(panel(wes, "1000g-phase-3-v5"), wes, "apps@1000g-phase-3-v5") is None  # WES names are its own


def test_the_distance_factor_halves_at_its_set_point():
    at_half = service("Half", latitude=-33.92 + DISTANCE_HALF_KM / 111.195, longitude=18.42)
    reasons = {r.factor: r for r in rank([candidate(at_half)], request(CAPE_TOWN))[0].reasons}
    assert reasons[Factor.DISTANCE].value == pytest.approx(0.5, abs=0.001)

"""The concurrent checks of a sweep, with probers that answer from memory: the concurrency limit,
the time limit, and a probe that raises."""

import asyncio
from dataclasses import replace

from registry.domain import CheckTarget, HealthState
from registry.logic.health import HealthPolicy, check_targets
from registry.models.common import ApiType, HealthStatus
from registry.settings import RegistrySettings
from tests.support.probers import NeverAnswers, ScriptedProber

POLICY = HealthPolicy.from_settings(RegistrySettings())


def targets(count):
    unknown = HealthState(HealthStatus.UNKNOWN)
    return [
        CheckTarget(f"id-{n}", f"s{n}", f"S{n}", ApiType.MICHIGAN, f"https://s{n}.example.org", unknown)
        for n in range(count)
    ]


def test_no_more_checks_in_flight_than_the_concurrency_allows():
    prober = ScriptedProber()
    outcomes = asyncio.run(check_targets(targets(40), prober, replace(POLICY, concurrency=7)))
    assert [o.status for o in outcomes] == [HealthStatus.HEALTHY] * 40
    assert prober.most_in_flight == 7
    assert sorted(prober.probed) == sorted(t.base_url for t in targets(40))


def test_a_probe_that_raises_fails_its_own_service_only():
    prober = ScriptedProber({"https://s1.example.org": RuntimeError("a bug in a probe")})
    outcomes = asyncio.run(check_targets(targets(3), prober, POLICY))
    assert [o.status for o in outcomes] == [HealthStatus.HEALTHY, HealthStatus.UNHEALTHY, HealthStatus.HEALTHY]
    assert outcomes[1].error == "check failed"
    assert outcomes[1].checked_url == "https://s1.example.org"
    assert "bug" not in outcomes[1].model_dump_json()


def test_a_probe_that_never_answers_is_given_up_at_the_time_limit():
    # nothing ever answers, so the limit passes first however slow the machine is
    [outcome] = asyncio.run(check_targets(targets(1), NeverAnswers(), replace(POLICY, check_timeout_seconds=0.05)))
    assert (outcome.status, outcome.error, outcome.response_time_ms) == (HealthStatus.UNHEALTHY, "timed out", None)

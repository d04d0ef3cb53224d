"""The sweep while the registry changes under it: overlapping sweeps, the batch limit, pruning, a
probe that raises, a service deleted or given another URL while it is being checked. A scripted
prober stands in for the network and acts at the moment a check is in flight: the tests wait on
those moments, never on a clock."""

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from registry.dal.unit_of_work import STORE, registry_repository
from registry.domain import CheckResult, HealthState
from registry.handlers.wiring import utc_now
from registry.logic.health import HealthPolicy, run_sweep
from registry.logic.ports import HealthAdapters
from registry.models.common import HealthStatus
from registry.models.health import ProbeOutcome, SweepReport
from registry.settings import RegistrySettings
from tests.support.api import invoke_api
from tests.support.probers import ScriptedProber

HEALTH_CHANGED = "ServiceHealthChanged"
POLICY = HealthPolicy.from_settings(RegistrySettings())
pytestmark = pytest.mark.usefixtures("registry_db", "event_bus")


def register(count):
    ids = {}
    for n in range(count):
        body = {"name": f"S{n}", "slug": f"s{n}", "api_type": "michigan", "base_url": f"https://s{n}.example.org"}
        answer = invoke_api("POST", "/services", body=body)
        assert answer.status == 201, answer.body
        ids[body["base_url"]] = answer.body["id"]
    return ids


def sweep(prober, policy=POLICY, clock=utc_now):
    adapters = HealthAdapters(
        transaction=registry_repository, relay=STORE.publish_pending_events, prober=prober, clock=clock
    )
    return run_sweep(adapters, policy)


def history(service_id):
    return invoke_api("GET", f"/services/{service_id}/health/history").body["items"]


def health(service_id):
    return invoke_api("GET", f"/services/{service_id}").body["health"]


def test_overlapping_sweeps_check_each_service_once():
    ids = register(5)
    policy = replace(POLICY, batch_limit=3)
    second: dict[str, SweepReport] = {}

    def sweep_again_while_the_first_is_checking(url):
        if not second:  # once, while the first sweep's checks are in flight
            thread = threading.Thread(target=lambda: second.update(report=sweep(ScriptedProber(), policy)))
            thread.start()
            thread.join()

    first = sweep(ScriptedProber(during=sweep_again_while_the_first_is_checking), policy)
    assert (first.checked, second["report"].checked) == (3, 2)
    assert [len(history(service_id)) for service_id in ids.values()] == [1] * 5


def test_the_batch_limit_takes_the_longest_due_first(event_bus):
    ids = register(5)  # registered one after the other: each due a moment after the one before
    policy = replace(POLICY, batch_limit=2)
    rounds = []
    for _ in range(4):
        prober = ScriptedProber()
        sweep(prober, policy)
        rounds.append(sorted(prober.probed))
    urls = list(ids)
    assert rounds == [sorted(urls[0:2]), sorted(urls[2:4]), urls[4:5], []]
    assert len(event_bus.captured_events(HEALTH_CHANGED)) == 5


def test_pruning_removes_only_checks_past_retention():
    [service_id] = register(1).values()
    now = datetime.now(UTC)
    with registry_repository() as repo:
        target = repo.health.target(service_id)
        assert target is not None
        retention = POLICY.history_retention
        old = [now - retention - timedelta(minutes=1), now - retention + timedelta(hours=1)]
        repo.health.record(
            [
                CheckResult(
                    target,
                    moment,
                    ProbeOutcome(status=HealthStatus.HEALTHY, checked_url="x", response_time_ms=1.0),
                    HealthState(HealthStatus.HEALTHY, last_checked_at=moment, next_check_at=now),
                )
                for moment in old
            ]
        )
    sweep(ScriptedProber(), clock=lambda: now)
    kept = [item["checked_at"] for item in history(service_id)]
    assert len(kept) == 2  # this sweep's check and the one still within retention
    assert min(datetime.fromisoformat(moment) for moment in kept) == old[1]


def test_a_probe_that_raises_leaves_its_service_unhealthy_and_the_sweep_whole(event_bus):
    ids = register(3)
    prober = ScriptedProber({"https://s1.example.org": RuntimeError("a bug in a probe")})
    report = sweep(prober)
    assert (report.checked, report.healthy, report.unhealthy) == (3, 2, 1)
    broken = health(ids["https://s1.example.org"])
    assert (broken["status"], broken["last_error"]) == ("unhealthy", "check failed")
    assert len(event_bus.captured_events(HEALTH_CHANGED)) == 3


def test_a_service_deleted_while_it_is_checked_is_not_recorded(event_bus):
    ids = register(3)
    doomed = ids["https://s2.example.org"]

    def delete_it(url):
        if url == "https://s2.example.org":
            assert invoke_api("DELETE", f"/services/{doomed}").status == 204

    report = sweep(ScriptedProber(during=delete_it))
    assert (report.checked, report.discarded) == (2, 1)
    events = event_bus.captured_events(HEALTH_CHANGED)
    assert sorted(e["detail"]["data"]["slug"] for e in events) == ["s0", "s1"]
    assert invoke_api("GET", f"/services/{doomed}").status == 404


def test_a_service_given_another_url_while_it_is_checked_is_checked_again_at_its_new_url(event_bus):
    ids = register(2)
    moved = ids["https://s1.example.org"]

    def move_it(url):
        if url == "https://s1.example.org":
            answer = invoke_api("PATCH", f"/services/{moved}", body={"base_url": "https://new.example.org"})
            assert answer.status == 200, answer.body

    down = ProbeOutcome(status=HealthStatus.UNHEALTHY, checked_url="x", error="refused")
    report = sweep(ScriptedProber({"https://s1.example.org": down}, during=move_it))
    assert (report.checked, report.discarded) == (1, 1)
    after = health(moved)
    assert after["status"] == "unknown"  # nothing the old URL said is kept
    assert after["last_error"] is None
    assert history(moved) == []
    assert [e["detail"]["data"]["slug"] for e in event_bus.captured_events(HEALTH_CHANGED)] == ["s0"]

    prober = ScriptedProber()
    sweep(prober)  # due at once at its new URL
    assert prober.probed == ["https://new.example.org"]
    assert health(moved)["status"] == "healthy"

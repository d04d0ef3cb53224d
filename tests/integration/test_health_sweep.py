"""The scheduled sweep against real HTTP servers on loopback: healthy ones, a hanging one, one
answering garbage, one in maintenance, and more ways to fail.

No test here depends on how fast this machine is: the time limit is generous wherever an answer is
expected, and short only where none ever comes (a hanging service times out however fast we are).
"""

import threading
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from local_platform.aws import free_port
from local_platform.events import lambda_context, scheduled_event
from registry.dal.unit_of_work import STORE
from registry.handlers import health_sweep
from registry.handlers.wiring import health_adapters
from registry.logic import health
from registry.logic.health import HealthPolicy, run_sweep
from registry.settings import registry_settings
from tests.support.api import invoke_api

HEALTH_CHANGED = "ServiceHealthChanged"
pytestmark = pytest.mark.usefixtures("registry_db", "outbound_to_loopback")


@pytest.fixture(autouse=True)
def generous_timeout(monkeypatch):
    # a loaded machine may take seconds to answer; nothing here waits for the limit to pass
    monkeypatch.setenv("REGISTRY_CHECK_TIMEOUT_SECONDS", "60")
    registry_settings.cache_clear()
    yield
    registry_settings.cache_clear()


def sweep_at(moment, policy=None):
    adapters = replace(health_adapters(), clock=lambda: moment)
    return run_sweep(adapters, policy or HealthPolicy.from_settings(registry_settings()))


def register(slug, api_type, base_url):
    answer = invoke_api(
        "POST", "/services", body={"name": slug.title(), "slug": slug, "api_type": api_type, "base_url": base_url}
    )
    assert answer.status == 201, answer.body
    return answer.body["id"]


def health_of(service_id):
    return invoke_api("GET", f"/services/{service_id}").body["health"]


def sweep():
    return health_sweep.handler(scheduled_event("registry-health-sweep"), lambda_context("registry-health-sweep"))


def test_one_sweep_tells_every_kind_of_service_apart(simulated, event_bus):
    expected = {
        "cloudgene": ("michigan", simulated.url("cloudgene", 1), "healthy", None),
        "wes": ("ga4gh_wes", simulated.url("wes", 1), "healthy", None),
        "wes-root": ("ga4gh_wes", simulated.url("wes", 2) + "/ga4gh/wes/v1", "healthy", None),
        "sapporo-like": ("ga4gh_wes", simulated.url("wes-noprefix", 1), "healthy", None),
        "maintenance": ("michigan", simulated.url("maintenance", 1), "unhealthy", "in maintenance"),
        "garbage": ("michigan", simulated.url("garbage", 1), "unhealthy", "not JSON"),
        "not-wes": ("ga4gh_wes", simulated.url("not-wes", 1), "unhealthy", "not a WES answer"),
        "not-cloudgene": ("michigan", simulated.url("not-wes", 2), "unhealthy", "not a Cloudgene answer"),
        "cloudgene-as-wes": ("ga4gh_wes", simulated.url("cloudgene", 2), "unhealthy", "HTTP 404"),
        "failing": ("michigan", simulated.url("error", 1), "unhealthy", "HTTP 503"),
        "endless": ("michigan", simulated.url("huge", 1), "unhealthy", "too large"),
        "refused": ("michigan", f"http://127.0.0.1:{free_port()}", "unhealthy", "refused"),
    }
    ids = {slug: register(slug.replace("_", "-"), api_type, url) for slug, (api_type, url, _, _) in expected.items()}

    report = sweep()

    assert report["checked"] == len(expected)
    assert report["healthy"] == 4
    for slug, (_, _, status, error) in expected.items():
        health = health_of(ids[slug])
        assert health["status"] == status, (slug, health)
        if error:
            assert health["last_error"] == error, (slug, health["last_error"])
            assert health["consecutive_failures"] == 1
            assert health["unhealthy_since"] is not None
        else:
            assert health["response_time_ms"] > 0
            assert health["last_error"] is None
    # every check is in the history, and every change of status went out as one event
    for slug, service_id in ids.items():
        history = invoke_api("GET", f"/services/{service_id}/health/history").body["items"]
        assert len(history) == 1, slug
    events = event_bus.captured_events()
    changes = [e for e in events if e["detail-type"] == "ServiceHealthChanged"]
    assert {e["detail"]["data"]["slug"] for e in changes} == set(expected)
    assert all(e["source"] == "fip.registry" and e["detail"]["data"]["previous_status"] == "unknown" for e in changes)
    # and one ServicesChecked per batch recorded (checks are recorded as they finish), every check in one
    rounds = [e for e in events if e["detail-type"] == "ServicesChecked"]
    assert report["events_queued"] == len(expected) + len(rounds)
    checks = [c for r in rounds for c in r["detail"]["data"]["checks"]]
    assert sorted(c["service_id"] for c in checks) == sorted(ids.values())
    healthy = {ids[slug] for slug, (_, _, status, _) in expected.items() if status == "healthy"}
    assert {c["service_id"] for c in checks if c["status"] == "healthy"} == healthy


def test_a_hanging_service_is_given_up_at_the_time_limit(simulated):
    service_id = register("hanging", "ga4gh_wes", simulated.url("hang", 1))
    policy = replace(HealthPolicy.from_settings(registry_settings()), check_timeout_seconds=0.3)
    report = sweep_at(datetime.now(UTC), policy)  # the service never answers: the limit always passes first
    assert (report.checked, report.unhealthy) == (1, 1)
    health = health_of(service_id)
    assert health["last_error"] == "timed out"
    assert health["response_time_ms"] is None


def test_nothing_is_checked_before_it_is_due_and_events_go_out_only_on_change(simulated, event_bus):
    healthy = register("healthy", "michigan", simulated.url("cloudgene", 5))
    down = register("down", "michigan", simulated.url("error", 5))
    start = datetime.now(UTC)
    assert sweep_at(start).checked == 2
    assert len(event_bus.captured_events(HEALTH_CHANGED)) == 2
    assert sweep_at(start + timedelta(seconds=30)).checked == 0  # nothing due yet
    later = sweep_at(start + timedelta(minutes=1, seconds=1))  # only the failing one is due
    assert later.checked == 1
    assert later.status_changes == 0
    assert event_bus.captured_events(HEALTH_CHANGED) == []  # still down: no new event
    assert health_of(down)["consecutive_failures"] == 2
    assert sweep_at(start + timedelta(minutes=16)).checked == 2  # the healthy one is due after 15 minutes
    assert health_of(healthy)["status"] == "healthy"


def test_recovery_is_one_event_and_clears_the_failure_run(simulated, event_bus):
    name = uuid.uuid4().hex  # the simulated services outlive this test: a name no other run recovered
    service_id = register("flaky", "michigan", simulated.url("flaky", name))
    start = datetime.now(UTC)
    sweep_at(start)
    sweep_at(start + timedelta(minutes=1, seconds=1))
    assert health_of(service_id)["consecutive_failures"] == 2
    event_bus.captured_events(HEALTH_CHANGED)
    simulated.recover(name)
    sweep_at(start + timedelta(minutes=4))
    health = health_of(service_id)
    assert health["status"] == "healthy"
    assert health["consecutive_failures"] == 0
    assert health["unhealthy_since"] is None
    [event] = event_bus.captured_events(HEALTH_CHANGED)
    assert (event["detail"]["data"]["previous_status"], event["detail"]["data"]["status"]) == ("unhealthy", "healthy")


def test_services_down_for_thirty_days_are_deactivated(simulated, event_bus):
    service_id = register("gone", "michigan", simulated.url("error", 9))
    start = datetime.now(UTC)
    assert sweep_at(start).deactivated == 0
    report = sweep_at(start + timedelta(days=30, minutes=1))
    assert report.deactivated == 1
    service = invoke_api("GET", f"/services/{service_id}").body
    assert service["is_active"] is False
    assert "unhealthy for more than 30 days" in service["deactivated_reason"]
    assert len(event_bus.captured_events("ServiceDeactivated")) == 1
    assert sweep_at(start + timedelta(days=31)).checked == 0  # inactive: left alone


def test_events_wait_in_the_outbox_while_the_bus_is_unreachable(simulated, event_bus, monkeypatch):
    register("queued", "michigan", simulated.url("cloudgene", 11))
    monkeypatch.setenv("FIP_EVENT_BUS_NAME", "no-such-bus")
    from fip_core.settings import platform_settings

    platform_settings.cache_clear()
    try:
        report = sweep()
    finally:
        monkeypatch.undo()
        platform_settings.cache_clear()
    assert report["status_changes"] == 1
    assert report["events_queued"] == 2  # the change, and the round of checks
    assert event_bus.captured_events(HEALTH_CHANGED) == []
    assert STORE.publish_pending_events() == 2  # the next relay delivers them
    [event] = event_bus.captured_events(HEALTH_CHANGED)
    assert event["detail"]["data"]["slug"] == "queued"
    assert STORE.publish_pending_events() == 0  # and only once


def test_a_sweep_recorded_in_many_batches_relays_every_event_once(simulated, event_bus, monkeypatch):
    # batches of three, and a first relay that, having read the outbox, returns only once every
    # check is recorded: the events of the batches written meanwhile need the relay after the last
    monkeypatch.setattr("registry.logic.health.RECORD_BATCH", 3)
    slugs = [f"batch-{n:02}" for n in range(20)]
    for n, slug in enumerate(slugs):
        register(slug, "michigan", simulated.url("cloudgene", 100 + n))
    all_recorded, recorded = threading.Event(), []
    record_checks = health.record_batch

    def counted(adapters, checks, policy, progress):
        record_checks(adapters, checks, policy, progress)
        recorded.extend(checks)
        if len(recorded) == len(slugs):
            all_recorded.set()

    def relay_then_wait():
        published = STORE.publish_pending_events()
        assert all_recorded.wait(60) or len(recorded) == len(slugs)
        return published

    monkeypatch.setattr(health, "record_batch", counted)
    report = run_sweep(
        replace(health_adapters(), relay=relay_then_wait), HealthPolicy.from_settings(registry_settings())
    )
    assert report.status_changes == 20
    events = event_bus.captured_events()
    changes = [event for event in events if event["detail-type"] == HEALTH_CHANGED]
    rounds = [event for event in events if event["detail-type"] == "ServicesChecked"]
    assert report.events_queued == 20 + len(rounds)
    assert sorted(event["detail"]["data"]["slug"] for event in changes) == slugs
    # one ServicesChecked per batch recorded, together holding every check once
    assert sorted(c["service_id"] for r in rounds for c in r["detail"]["data"]["checks"]) == sorted(
        target.service_id for target, _ in recorded
    )
    assert all(len(r["detail"]["data"]["checks"]) <= 3 for r in rounds)
    assert STORE.publish_pending_events() == 0  # nothing was left waiting for the scheduled relay


def test_check_now_queues_one_round_of_one_check(simulated, event_bus):
    service_id = register("checked-now", "michigan", simulated.url("cloudgene", 12))
    assert invoke_api("POST", f"/services/{service_id}/health-check").status == 200
    [checked] = event_bus.captured_events("ServicesChecked")
    [check] = checked["detail"]["data"]["checks"]
    assert (check["service_id"], check["status"]) == (service_id, "healthy")
    assert check["response_time_ms"] > 0


def test_a_spell_of_ill_health_is_at_risk_once_five_days_before_deactivation(simulated, event_bus):
    service_id = register("ailing", "michigan", simulated.url("error", 13))
    start = datetime.now(UTC)
    sweep_at(start)
    since = datetime.fromisoformat(health_of(service_id)["unhealthy_since"])
    assert sweep_at(start + timedelta(days=24, hours=23)).at_risk == 0  # not yet 25 days
    assert event_bus.captured_events("ServiceAtRisk") == []
    report = sweep_at(start + timedelta(days=25, minutes=1))
    assert report.at_risk == 1
    [event] = event_bus.captured_events("ServiceAtRisk")
    data = event["detail"]["data"]
    assert (data["service_id"], data["slug"]) == (service_id, "ailing")
    assert datetime.fromisoformat(data["unhealthy_since"]) == since
    assert datetime.fromisoformat(data["deactivates_at"]) == since + timedelta(days=30)
    assert sweep_at(start + timedelta(days=26)).at_risk == 0  # once per spell
    assert event_bus.captured_events("ServiceAtRisk") == []


def test_a_service_that_recovers_and_falls_ill_again_is_warned_of_its_new_spell(simulated, event_bus):
    name = uuid.uuid4().hex
    service_id = register("relapsing", "michigan", simulated.url("flaky", name))
    start = datetime.now(UTC)
    sweep_at(start)
    assert sweep_at(start + timedelta(days=25, minutes=1)).at_risk == 1
    simulated.recover(name)
    sweep_at(start + timedelta(days=26))
    assert health_of(service_id)["status"] == "healthy"
    # it falls ill again: another URL that fails, a new spell from the next check
    moved = invoke_api("PATCH", f"/services/{service_id}", body={"base_url": simulated.url("error", 14)})
    assert moved.status == 200, moved.body
    again = start + timedelta(days=27)
    sweep_at(again)
    event_bus.captured_events()
    assert sweep_at(again + timedelta(days=24)).at_risk == 0
    assert sweep_at(again + timedelta(days=25, minutes=1)).at_risk == 1
    [event] = event_bus.captured_events("ServiceAtRisk")
    assert datetime.fromisoformat(event["detail"]["data"]["unhealthy_since"]) == again


def test_a_deactivated_service_is_not_at_risk(simulated, event_bus):
    register("forgotten", "michigan", simulated.url("error", 15))
    start = datetime.now(UTC)
    sweep_at(start)
    report = sweep_at(start + timedelta(days=31))  # no sweep ran in its last days: deactivated at once
    assert (report.deactivated, report.at_risk) == (1, 0)

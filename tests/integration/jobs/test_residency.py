"""The residency rules are never crossed: the platform's policy (the registry's) and each file's narrowing
(its owner's) hold an explicit submission, a family, `auto`, its failover, a retry and the submission
itself; a refusal names the rule and creates nothing (no job row, no outbox event), and a file's
`sent_to` lists only the services it really went to. In process, on SQLite and PostgreSQL, against two
Cloudgene contract fakes on loopback."""

from __future__ import annotations

from typing import Any

from tests.support.api import invoke_api
from tests.support.job_world import ALICES_TOKEN, set_health
from tests.support.jobs import job_events, submit_pending

RESIDENCY = "residency_policy"


def locate(service_id: str, country: str | None) -> None:
    answer = invoke_api("PATCH", f"/services/{service_id}", body={"location": {"country": country}})
    assert answer.status == 200, answer.body


def policy(countries: list[str] | None = None, services: list[str] | None = None) -> None:
    body = {"allowed_countries": countries or [], "allowed_services": services or []}
    answer = invoke_api("PUT", "/residency-policy", body=body)
    assert answer.status == 200, answer.body


def narrow(world, countries: list[str] | None = None, services: list[str] | None = None) -> None:
    body = {"allowed_countries": countries or [], "allowed_services": services or []}
    answer = invoke_api("PUT", f"/files/{world.file}/residency", body=body, principal=world.alice)
    assert answer.status == 200, answer.body


def post(world, key: str = "key-1", **changes: Any):
    return invoke_api(
        "POST", "/jobs", body=world.body(**changes), headers={"Idempotency-Key": key}, principal=world.alice
    )


def assert_nothing_created(world) -> None:
    assert invoke_api("GET", "/jobs", principal=world.alice).body["total"] == 0
    assert job_events() == []


def sent_to(world) -> list[str]:
    return [s["service_id"] for s in invoke_api("GET", f"/files/{world.file}", principal=world.alice).body["sent_to"]]


def test_an_explicit_service_outside_the_platform_policy_is_refused_naming_the_rule(world, fake):
    locate(world.service, "NG")
    policy(["ZA"])
    answer = post(world)
    assert answer.status == 422, answer.body
    [error] = answer.body["errors"]
    assert (error["location"], error["type"]) == ("body.service", RESIDENCY)
    assert "the platform's residency policy allows data only to ZA: Cloudgene cloudgene is in NG" in error["message"]
    assert_nothing_created(world)

    locate(world.service, None)  # a service without a country never passes a country rule
    answer = post(world)
    assert "records no country" in answer.body["errors"][0]["message"]
    policy(services=[world.service])  # named by id, it may take the job wherever it is
    assert post(world).status == 201


def test_a_files_narrowing_refuses_a_service_the_platform_allows(world, fake):
    locate(world.service, "NG")
    policy(["ZA", "NG"])
    narrow(world, ["ZA"])
    answer = post(world)
    assert answer.status == 422
    assert f"file {world.file} (chr20.vcf.gz) may go only to ZA: Cloudgene cloudgene is in NG" in answer.body["detail"]
    assert_nothing_created(world)
    narrow(world, services=[world.service])  # narrowing to the service itself: inside both rules
    assert post(world).status == 201


def test_a_family_with_one_service_outside_is_refused_whole(world, fake, second_service):
    locate(world.service, "ZA")
    locate(second_service, "NG")
    policy(["ZA"])
    answer = post(world, service=[world.service, second_service])
    assert answer.status == 422, answer.body
    assert [(e["location"], e["type"]) for e in answer.body["errors"]] == [("body.service.1", RESIDENCY)]
    assert "is in NG" in answer.body["errors"][0]["message"]
    assert_nothing_created(world)


def test_auto_skips_services_outside_the_policy_and_never_fails_over_to_them(world, fake, second, second_service):
    locate(world.service, "NG")
    locate(second_service, "ZA")
    set_health(second_service, "healthy", queue_load=40)  # the first (outside) ranks best
    policy(["ZA"])
    answer = post(world, service="auto")
    assert answer.status == 201, answer.body
    job = answer.body
    assert job["service"]["id"] == second_service
    skipped = {r["service_id"]: r["skipped"] for r in job["routing"]["ranking"]}
    assert skipped[second_service] is None
    assert skipped[world.service].startswith("outside the residency policy: the platform's residency policy allows")

    second.tokens.pop(ALICES_TOKEN)  # the one service inside refuses: no failover to the one outside
    assert submit_pending(job["id"])["outcome"] == "failed"
    seen = world.job(job["id"])
    assert seen["status"] == "failed"
    assert [a["service_id"] for a in seen["routing"]["attempts"]] == [second_service]
    assert fake.jobs == {}
    assert sent_to(world) == [second_service]  # the link went to the service that refused, and only there


def test_auto_with_no_service_inside_the_policy_says_so_and_creates_nothing(world, fake, second_service):
    locate(world.service, "NG")
    locate(second_service, "KE")
    policy(["ZA"])
    answer = post(world, service="auto")
    assert answer.status == 422, answer.body
    assert answer.body["errors"][0]["type"] == RESIDENCY
    assert "no service inside the residency policy offers this panel" in answer.body["detail"]
    policy(["NG"])
    narrow(world, ["KE"])  # the platform and the file together leave nowhere
    answer = post(world, service="auto")
    assert "no service is inside the residency policy" in answer.body["detail"]
    assert_nothing_created(world)


def test_failover_checks_the_policy_as_it_is_then(world, fake, second, second_service):
    set_health(second_service, "healthy", queue_load=40)
    job = post(world, service="auto").body
    assert job["service"]["id"] == world.service
    locate(second_service, "NG")
    policy(["ZA"])  # changed after the job was made: the next in its ranking is outside now
    locate(world.service, "ZA")
    fake.tokens.pop(ALICES_TOKEN)
    assert submit_pending(job["id"])["outcome"] == "failed"
    seen = world.job(job["id"])
    assert "not tried: outside the residency policy" in seen["routing"]["attempts"][-1]["refused"]
    assert second.jobs == {}
    assert second_service not in sent_to(world)


def test_a_submission_checks_the_rules_again_before_any_file_is_linked(world, fake):
    job = world.submit()
    narrow(world, ["ZA"])  # the owner narrows the file after the job was accepted
    assert submit_pending(job["id"])["outcome"] == "failed"
    seen = world.job(job["id"])
    assert "outside the residency policy" in seen["error"]
    assert fake.jobs == {}
    assert sent_to(world) == []


def test_a_retry_is_held_to_the_policy_as_it_is_then(world, fake):
    job = world.submit()
    cancelled = invoke_api("POST", f"/jobs/{job['id']}/cancel", principal=world.alice)
    assert cancelled.body["status"] == "cancelled"
    locate(world.service, "NG")
    policy(["ZA"])
    retried = invoke_api("POST", f"/jobs/{job['id']}/retry", principal=world.alice)
    assert retried.status == 422, retried.body
    assert retried.body["errors"][0]["type"] == RESIDENCY
    assert invoke_api("GET", "/jobs", principal=world.alice).body["total"] == 1
    assert [e["detail"]["data"]["status"] for e in job_events()] == ["pending", "cancelled"]


def test_retrying_auto_ranks_again_by_the_panels_name_not_its_registry_id(world, fake, second_service):
    panels = invoke_api("GET", f"/services/{world.service}/panels", principal=world.alice).body
    panel_id = panels["items"][0]["id"] if isinstance(panels, dict) else panels[0]["id"]
    set_health(second_service, "healthy", queue_load=40)
    job = post(world, service="auto", panel=panel_id).body  # a registry id names one service's panel
    assert [r["service_id"] for r in job["routing"]["ranking"]] == [world.service]
    assert job["panel"] == "apps@hrc-r1.1"
    invoke_api("POST", f"/jobs/{job['id']}/cancel", principal=world.alice)
    set_health(world.service, "unhealthy")  # only the other service, which knows the panel by name, is left
    retried = invoke_api("POST", f"/jobs/{job['id']}/retry", principal=world.alice)
    assert retried.status == 201, retried.body
    assert retried.body["service"]["id"] == second_service
    assert {r["service_id"] for r in retried.body["routing"]["ranking"]} == {world.service, second_service}

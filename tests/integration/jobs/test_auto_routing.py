"""`POST /jobs` with `"service": "auto"`: the job goes to the best service of the registry's ranking (its
`discover` function) that can take it, recording the ranking and why; a service that refuses the
submission hands it on to the next, each attempt in the history, and the job fails with every reason
only when none is left. In process, on SQLite and PostgreSQL, against two Cloudgene contract fakes."""

from __future__ import annotations

from tests.support.api import invoke_api
from tests.support.job_world import ALICES_TOKEN, set_health
from tests.support.jobs import job_events, poll, submit_pending


def auto(world, key="auto-1", **changes):
    return invoke_api(
        "POST", "/jobs", body=world.body(service="auto", **changes), headers={"Idempotency-Key": key},
        principal=world.alice,
    )  # fmt: skip


def ranking_of(world):
    query = {"panel": "apps@hrc-r1.1", "build": "hg19"}
    answer = invoke_api("GET", "/services/discover", query=query, principal=world.alice)
    return [entry["service_id"] for entry in answer.body["services"]]


def test_auto_takes_the_registrys_best_ranked_service_and_says_why(world, fake, second, second_service):
    set_health(world.service, "healthy", queue_load=40)  # the first server is busy: the second ranks first
    assert ranking_of(world) == [second_service, world.service]
    answer = auto(world)
    assert answer.status == 201, answer.body
    job = answer.body
    assert job["service"]["id"] == second_service
    ranking = job["routing"]["ranking"]
    assert [(r["service_id"], r["rank"], r["skipped"]) for r in ranking] == [
        (second_service, 1, None),
        (world.service, 2, None),
    ]
    assert "40 jobs queued or running" in ranking[1]["reasons"]
    assert job["routing"]["attempts"] == []
    assert auto(world).body["id"] == job["id"]  # the same key: the same job
    assert submit_pending(job["id"])["outcome"] == "submitted"
    assert list(second.jobs) == [world.job(job["id"])["external_id"]]
    assert fake.jobs == {}


def test_a_service_that_cannot_take_the_job_is_skipped_with_the_reason(world, fake, second_service):
    set_health(second_service, "unhealthy")
    invoke_api("DELETE", f"/me/credentials/{world.service}", principal=world.alice)
    answer = auto(world)
    assert answer.status == 422, answer.body
    assert answer.body["errors"][0]["location"] == "body.service"
    assert "unhealthy" in answer.body["detail"]
    assert "needs your own token" in answer.body["detail"]
    assert invoke_api("GET", "/jobs", principal=world.alice).body["total"] == 0


def test_a_refusal_fails_over_to_the_next_service_in_the_history(world, fake, second, second_service, clock):
    set_health(second_service, "healthy", queue_load=40)  # the first server ranks first
    second.tokens.pop(ALICES_TOKEN)
    fake.tokens.pop(ALICES_TOKEN)  # the first refuses alice's token
    job = auto(world).body
    assert job["service"]["id"] == world.service
    second.tokens[ALICES_TOKEN] = "alice"
    assert submit_pending(job["id"])["outcome"] == "rerouted"
    seen = world.job(job["id"])
    assert (seen["status"], seen["service"]["id"], seen["external_id"]) == ("pending", second_service, None)
    [attempt] = seen["routing"]["attempts"]
    assert (attempt["service_id"], "not authorised" in attempt["refused"]) == (world.service, True)
    assert [(h["previous_status"], h["status"]) for h in seen["history"]] == [(None, "pending"), ("pending", "pending")]
    assert "trying Cloudgene cloudgene-two" in seen["history"][-1]["reason"]
    # the failover's own pending event submits it to the next service
    assert submit_pending(job["id"])["outcome"] == "submitted"
    assert world.job(job["id"])["external_id"] in second.jobs
    assert fake.jobs == {}
    assert [e["detail"]["data"]["service_id"] for e in job_events(job["id"])] == [
        world.service,
        second_service,
        second_service,
    ]
    clock.advance(minutes=1)
    assert poll()["submissions"] == {}
    # the file's record names both: its link went to the first before that refused, then to the second
    sent = invoke_api("GET", f"/files/{world.file}", principal=world.alice).body["sent_to"]
    assert [s["service_id"] for s in sent] == [world.service, second_service]


def test_the_job_fails_with_every_reason_when_every_service_refuses(world, fake, second, second_service):
    fake.tokens.pop(ALICES_TOKEN)
    second.tokens.pop(ALICES_TOKEN)
    job = auto(world).body
    assert submit_pending(job["id"])["outcome"] == "rerouted"
    assert submit_pending(job["id"])["outcome"] == "failed"
    seen = world.job(job["id"])
    assert seen["status"] == "failed"
    assert seen["error"].count("not authorised") == 2
    assert "Cloudgene cloudgene:" in seen["error"]
    assert "Cloudgene cloudgene-two:" in seen["error"]
    assert len(seen["routing"]["attempts"]) == 2
    assert (fake.jobs, second.jobs) == ({}, {})


def test_a_service_gone_unusable_before_failover_is_passed_over(world, fake, second, second_service):
    set_health(second_service, "healthy", queue_load=40)
    fake.tokens.pop(ALICES_TOKEN)
    job = auto(world).body
    set_health(second_service, "unhealthy")  # the next in the ranking went down since the job was made
    assert submit_pending(job["id"])["outcome"] == "failed"
    attempts = world.job(job["id"])["routing"]["attempts"]
    assert [a["service_id"] for a in attempts] == [world.service, second_service]
    assert attempts[1]["refused"].startswith("not tried: the service is unhealthy")
    assert second.jobs == {}


def test_a_registry_that_does_not_answer_is_a_503_and_makes_no_job(world, monkeypatch):
    from fip_core import calls
    from jobs.adapters.domains import InvokedDomains

    def unreachable(domain, call, payload):
        raise calls.InternalCallError(f"{call.domain}/{call.target} failed (Unhandled): Task timed out")

    monkeypatch.setattr("jobs.adapters.domains.calls.invoke", unreachable)
    # the ranking is asked of the registry as in the cloud, through Lambda's Invoke API, which fails
    monkeypatch.setattr(
        "tests.support.jobs.InProcessDomains.discover", lambda self, p, b: InvokedDomains().discover(p, b)
    )
    answer = auto(world)
    assert answer.status == 503, answer.body
    assert answer.body["detail"] == "the registry domain did not answer (discover); nothing was done, try again"
    assert invoke_api("GET", "/jobs", principal=world.alice).body["total"] == 0
    assert job_events() == []

"""`POST /jobs` with a list of services: a parent job with a child per service, every service checked
before anything is stored and the whole family stored in one transaction, exactly once per
Idempotency-Key; each child submitted and polled as a job of its own, the parent following them;
cancelling the parent cancels every child on its service. In process, on SQLite and PostgreSQL, against
two Cloudgene contract fakes on loopback."""

from __future__ import annotations

import pytest

from jobs.handlers import wiring
from jobs.logic import creation, lifecycle
from jobs.models.jobs import JobCreate
from tests.support.api import invoke_api
from tests.support.job_world import set_health
from tests.support.jobs import job_events, poll, submit_pending


def post(world, body, key="family-1"):
    return invoke_api("POST", "/jobs", body=body, headers={"Idempotency-Key": key}, principal=world.alice)


def all_jobs(world):
    return invoke_api("GET", "/jobs", principal=world.alice).body


def statuses(events):
    return [e["detail"]["data"]["status"] for e in events]


def test_a_family_is_made_once_with_a_child_per_service(world, second_service):
    answer = post(world, world.body(service=[world.service, second_service]))
    assert answer.status == 201, answer.body
    parent = answer.body
    assert (parent["status"], parent["service"], parent["parent_id"]) == ("pending", None, None)
    children = parent["children"]
    assert [c["service"]["id"] for c in children] == [world.service, second_service]
    assert [(c["status"], c["parent_id"]) for c in children] == [("pending", parent["id"])] * 2
    again = post(world, world.body(service=[world.service, second_service]))
    assert (again.status, again.body["id"], again.body["children"]) == (200, parent["id"], children)
    assert all_jobs(world)["total"] == 3
    # each child's own pending event submits it; the parent's submits nothing
    assert [e["detail"]["data"]["parent_id"] for e in job_events(children[0]["id"])] == [parent["id"]]
    assert statuses(job_events(parent["id"])) == ["pending"]


def test_no_service_of_the_list_may_be_unusable_and_nothing_is_written_then(world, second_service):
    set_health(second_service, "unhealthy")
    answer = post(world, world.body(service=[world.service, second_service]))
    assert answer.status == 422, answer.body
    assert [e["location"] for e in answer.body["errors"]] == ["body.service.1"]
    assert "unhealthy" in answer.body["errors"][0]["message"]
    twice = post(world, world.body(service=[world.service, world.service]), key="family-2")
    assert (twice.status, twice.body["errors"][0]["location"]) == (422, "body.service")
    assert all_jobs(world)["total"] == 0
    assert job_events() == []


def test_a_family_is_written_whole_or_not_at_all(world, second_service, monkeypatch):
    stored: list[str] = []

    def create_then_break(repo, job):
        if stored:
            raise RuntimeError("the database went away mid-family")
        stored.append(job.id)
        return real(repo, job)

    real = lifecycle.create
    monkeypatch.setattr(lifecycle, "create", create_then_break)
    body = JobCreate.model_validate(world.body(service=[world.service, second_service]))
    adapters = wiring.jobs_adapters()
    with pytest.raises(RuntimeError):
        creation.create_job(adapters, world.alice.user_id, "family-3", body)
    assert all_jobs(world)["total"] == 0
    assert job_events() == []
    monkeypatch.setattr(lifecycle, "create", real)
    assert creation.create_job(adapters, world.alice.user_id, "family-3", body).new


def test_the_parent_follows_its_children_to_a_partial_success(world, fake, second, second_service, clock):
    parent = post(world, world.body(service=[world.service, second_service])).body
    first, other = (child["id"] for child in parent["children"])
    assert submit_pending(first)["outcome"] == "submitted"
    assert world.job(parent["id"])["status"] == "submitted"
    assert submit_pending(other)["outcome"] == "submitted"
    fake.run(world.job(first)["external_id"], ("Input Validation", [(0, "ok")]))
    clock.advance(minutes=1)
    poll()
    assert world.job(parent["id"])["status"] == "running"
    fake.complete(world.job(first)["external_id"], {"chr20.zip": b"results"})
    clock.advance(minutes=1)
    poll()
    seen = world.job(parent["id"])
    assert (seen["status"], seen["progress"]) == ("running", 50)  # one done, one still queued
    second.fail(world.job(other)["external_id"], ("Quality Control", [(1, "No chunks passed the QC step.")]))
    clock.advance(minutes=1)
    poll()
    seen = world.job(parent["id"])
    assert [c["status"] for c in seen["children"]] == ["completed", "failed"]
    assert (seen["status"], seen["progress"], seen["finished_at"] is not None) == ("completed", 100, True)
    # one poll answered for both children: queued is seen first when the queued child's row comes first
    seen_statuses = [s for s in statuses(job_events(parent["id"])) if s != "queued"]
    assert seen_statuses == ["pending", "submitted", "running", "completed"]
    assert "1 completed, 1 failed" in seen["history"][-1]["reason"]
    # the parent's outputs are its children's: here the completed one's
    outputs = invoke_api("GET", f"/jobs/{parent['id']}/outputs", principal=world.alice).body
    of_child = invoke_api("GET", f"/jobs/{first}/outputs", principal=world.alice).body
    assert (outputs["state"], outputs["items"]) == (of_child["state"], of_child["items"])
    assert [item["name"] for item in outputs["items"]] == ["chr20.zip"]


def test_cancelling_the_parent_cancels_every_child_on_its_service(world, fake, second, second_service, clock):
    parent = post(world, world.body(service=[world.service, second_service])).body
    first, other = (child["id"] for child in parent["children"])
    submit_pending(first)  # the other child is still pending: it is cancelled here, never submitted
    answer = invoke_api("POST", f"/jobs/{parent['id']}/cancel", principal=world.alice)
    assert answer.status == 200, answer.body
    assert answer.body["status"] == "cancelled"
    assert [c["status"] for c in answer.body["children"]] == ["cancelled", "cancelled"]
    assert fake.jobs[world.job(first)["external_id"]].state == 6  # CANCELED on the server
    assert submit_pending(other)["outcome"] == "not_due"
    assert second.jobs == {}
    assert statuses(job_events(parent["id"])) == ["pending", "submitted", "cancelled"]
    assert invoke_api("POST", f"/jobs/{parent['id']}/cancel", principal=world.alice).status == 409


def test_retrying_a_cancelled_family_makes_a_new_family_of_the_same_services(world, second_service):
    parent = post(world, world.body(service=[world.service, second_service])).body
    invoke_api("POST", f"/jobs/{parent['id']}/cancel", principal=world.alice)
    answer = invoke_api("POST", f"/jobs/{parent['id']}/retry", principal=world.alice)
    assert answer.status == 201, answer.body
    assert answer.body["retry_of"] == parent["id"]
    assert [c["service"]["id"] for c in answer.body["children"]] == [world.service, second_service]

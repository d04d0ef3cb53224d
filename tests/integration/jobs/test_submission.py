"""A job accepted by `POST /jobs` is handed to its Cloudgene service by the `submit` function its own
pending `JobStatusChanged` invokes, with the owner's token and the input file piped from its presigned
link; the running-job cap and maintenance leave it waiting for the service (the poll submits it later),
a refusal fails it with the service's words. In process, on SQLite and PostgreSQL, against the
Cloudgene contract fake on loopback."""

from __future__ import annotations

from jobs.adapters.cloudgene import CloudgeneAdapter
from jobs.adapters.services import outbound_client
from tests.support.api import invoke_api
from tests.support.job_world import ALICES_TOKEN, SAMPLE
from tests.support.jobs import job_events, poll, run_function, submit_pending


def test_a_pending_job_is_submitted_with_the_owners_token_and_its_file(world, fake):
    job = world.submit()
    assert submit_pending(job["id"]) == {"outcome": "submitted", "job_id": job["id"]}
    seen = world.job(job["id"])
    [(external_id, held)] = fake.jobs.items()
    assert (seen["status"], seen["external_id"]) == ("submitted", external_id)
    assert [h["status"] for h in seen["history"]] == ["pending", "submitted"]
    assert held.user == "alice"
    assert held.files == {"chr20.vcf.gz": SAMPLE.read_bytes()}
    assert (held.params["refpanel"], held.params["build"], held.params["phasing"]) == ("apps@hrc-r1.1", "hg19", "eagle")
    # the same event again, or the poll, changes nothing: the job is no longer pending
    assert submit_pending(job["id"])["outcome"] == "not_due"
    assert poll()["submissions"] == {}
    assert len(fake.jobs) == 1
    assert [e["detail"]["data"]["status"] for e in job_events(job["id"])] == ["pending", "submitted"]


def test_events_of_other_statuses_and_other_sources_are_ignored(world, fake):
    job = world.submit()
    submit_pending(job["id"])
    submitted = job_events(job["id"])[1]
    assert run_function("submit", submitted)["outcome"] == "ignored"
    assert run_function("submit", submitted | {"source": "fip.files"})["outcome"] == "ignored"
    assert len(fake.jobs) == 1


def test_the_running_job_cap_leaves_the_job_waiting_and_the_poll_submits_it_later(world, fake, clock):
    fake.max_running_per_user = 0
    job = world.submit()
    assert submit_pending(job["id"])["outcome"] == "waiting"
    seen = world.job(job["id"])
    assert (seen["status"], seen["external_id"]) == ("pending", None)
    assert "Only 0 jobs per user can be executed simultaneously." in seen["waiting_for_service"]
    assert poll()["submissions"] == {}  # not due again before a minute has passed
    fake.max_running_per_user = 2
    clock.advance(minutes=1)
    assert poll()["submissions"] == {"submitted": 1}
    seen = world.job(job["id"])
    assert (seen["status"], seen["waiting_for_service"]) == ("submitted", None)
    assert seen["external_id"] in fake.jobs


def test_maintenance_is_waiting_for_the_service_not_a_failure(world, fake):
    fake.maintenance = True
    job = world.submit()
    assert submit_pending(job["id"])["outcome"] == "waiting"
    seen = world.job(job["id"])
    assert seen["status"] == "pending"
    assert "under maintenance" in seen["waiting_for_service"]


def test_a_refused_submission_fails_the_job_with_the_services_words(world, fake):
    fake.tokens.pop(ALICES_TOKEN)  # the server no longer knows alice's token
    job = world.submit()
    assert submit_pending(job["id"])["outcome"] == "failed"
    seen = world.job(job["id"])
    assert seen["status"] == "failed"
    assert "not authorised" in seen["error"]
    assert fake.jobs == {}


def test_an_unknown_application_is_refused_in_the_services_words(world, fake, monkeypatch):
    def older_app(service):
        return CloudgeneAdapter(outbound_client(), service["base_url"], app="imputationserver9")

    monkeypatch.setattr("jobs.handlers.wiring.connect", older_app)
    job = world.submit()
    assert submit_pending(job["id"])["outcome"] == "failed"
    assert "Application 'imputationserver9' not found." in world.job(job["id"])["error"]


def test_the_token_never_reaches_the_logs(world, fake, capsys):
    job = world.submit()
    submit_pending(job["id"])
    poll()
    captured = capsys.readouterr()
    assert ALICES_TOKEN not in captured.out + captured.err


def test_the_files_record_lists_each_service_it_was_sent_to_and_for_which_job(world, fake):
    assert invoke_api("GET", f"/files/{world.file}", principal=world.alice).body["sent_to"] == []
    first, other = world.submit(), world.submit(key="key-2")
    submit_pending(first["id"])
    submit_pending(other["id"])
    sent = invoke_api("GET", f"/files/{world.file}", principal=world.alice).body["sent_to"]
    assert [(s["service_id"], s["service_name"], s["job_id"]) for s in sent] == [
        (world.service, "Cloudgene cloudgene", first["id"]),
        (world.service, "Cloudgene cloudgene", other["id"]),
    ]
    assert all(s["at"] for s in sent)
    assert invoke_api("GET", f"/files/{world.file}", principal=world.bob).status == 404

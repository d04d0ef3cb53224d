"""A completed job's result files are copied from the Cloudgene fake into the files domain (registered
through its `results` call, streamed into the presigned part URLs) by the poll that sees the job
complete; `GET /jobs/{id}/outputs` gives their file ids, which download through the files domain. A
copy that fails is recorded and tried again at a later poll. In process, on SQLite and PostgreSQL."""

from __future__ import annotations

import os

import httpx
import pytest

from jobs.dal.unit_of_work import STORE
from tests.support.api import invoke_api
from tests.support.jobs import poll, submit_pending

ARCHIVE = os.urandom(3 * 1024 * 1024 + 17)  # several pieces on the way, not a round number


@pytest.fixture
def completed(world, fake, clock):
    """A job whose service completed it with two result files, not yet polled."""
    job = world.submit()
    assert submit_pending(job["id"])["outcome"] == "submitted"
    external_id = world.job(job["id"])["external_id"]
    fake.complete(external_id, {"chr_20.zip": ARCHIVE, "qcreport.html": b"<html>QC</html>"})
    clock.advance(minutes=1)
    return job["id"]


def outputs(job_id, caller):
    return invoke_api("GET", f"/jobs/{job_id}/outputs", principal=caller)


def downloaded(file_id, caller):
    link = invoke_api("GET", f"/files/{file_id}/download", principal=caller)
    assert link.status == 200, link.body
    return httpx.get(link.body["url"], timeout=30).content


def test_the_outputs_of_a_completed_job_download_through_the_files_domain(world, fake, clock, completed):
    assert outputs(completed, world.alice).body["state"] == "none"
    report = poll()
    assert (report["transitions"], report["outputs_collected"]) == (1, 1)
    answer = outputs(completed, world.alice)
    assert answer.status == 200, answer.body
    assert answer.body["state"] == "stored"
    items = {item["name"]: item for item in answer.body["items"]}
    assert set(items) == {"chr_20.zip", "qcreport.html"}
    assert items["chr_20.zip"]["size_bytes"] == len(ARCHIVE)
    assert downloaded(items["chr_20.zip"]["file_id"], world.alice) == ARCHIVE
    assert downloaded(items["qcreport.html"]["file_id"], world.alice) == b"<html>QC</html>"
    stored = invoke_api("GET", f"/files/{items['chr_20.zip']['file_id']}", principal=world.alice).body
    assert stored["status"] == "stored"
    assert outputs(completed, world.bob).status == 404
    assert invoke_api("GET", f"/files/{items['chr_20.zip']['file_id']}/download", principal=world.bob).status == 404
    clock.advance(minutes=5)
    assert poll()["outputs_collected"] == 0  # stored: not copied again


def test_a_failed_copy_is_retried_at_a_later_poll(world, fake, clock, completed):
    archive = next(h for h, d in fake.downloads.items() if d["name"] == "chr_20.zip")
    held = fake.downloads.pop(archive)  # the server answers 404 `download not found.` for now
    poll()
    answer = outputs(completed, world.alice).body
    assert answer["state"] == "copying"
    failed = next(item for item in answer["items"] if item["name"] == "chr_20.zip")
    assert (failed["status"], failed["attempts"], failed["file_id"]) == ("failed", 1, None)
    assert "download not found." in failed["error"]
    fake.downloads[archive] = held
    clock.advance(minutes=1)
    assert poll()["outputs_collected"] == 0  # not due again yet: it backs off
    clock.advance(minutes=5)
    assert poll()["outputs_collected"] == 1
    answer = outputs(completed, world.alice).body
    assert answer["state"] == "stored"
    archive_item = next(item for item in answer["items"] if item["name"] == "chr_20.zip")
    assert (archive_item["status"], archive_item["attempts"]) == ("stored", 2)
    assert downloaded(archive_item["file_id"], world.alice) == ARCHIVE


def test_the_archive_password_given_to_the_service_is_shown_to_the_owner_alone(world, fake, completed):
    given = next(iter(fake.jobs.values())).params["password"]
    answer = invoke_api("GET", f"/jobs/{completed}/password", principal=world.alice)
    assert (answer.status, answer.body) == (200, {"password": given})
    assert answer.headers["Cache-Control"] == "no-store"
    assert len(given) >= 24
    assert invoke_api("GET", f"/jobs/{completed}/password", principal=world.bob).status == 404
    with STORE.reading() as repo:
        stored = repo.jobs.get(completed)
    assert stored is not None
    assert given.encode() not in (stored.password_ciphertext or b"")  # kept encrypted


def test_a_second_job_gets_a_password_of_its_own(world, fake, completed):
    other = world.submit(key="key-2")
    submit_pending(other["id"])
    first = invoke_api("GET", f"/jobs/{completed}/password", principal=world.alice).body["password"]
    second = invoke_api("GET", f"/jobs/{other['id']}/password", principal=world.alice).body["password"]
    assert first != second

"""Retention, on SQLite and PostgreSQL with the bucket in moto: `FileExpiring` once per file before it
expires, then the object deleted and the record marked, each deletion recorded; and a job's result
registered through the internal `results` function, stored under its owner's prefix by the same rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from files.dal.unit_of_work import files_reading
from files.handlers.results import handler as results
from files.handlers.retention import handler as retention
from files.handlers.wiring import files_adapters
from files.logic.retention import sweep
from files.settings import files_settings
from local_platform.events import lambda_context
from tests.support.files import ALICE, BOB, BUCKET, S3Events, api, deliver, put_parts, upload

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "vcf" / "chr20.tiny.100snps.vcf.gz"


@pytest.fixture
def s3_events(files_db: str, event_bus) -> S3Events:
    return S3Events(event_bus).start()


def _at(moment: datetime):
    return replace(files_adapters(), clock=lambda: moment)


def test_a_file_is_warned_of_once_then_deleted_when_it_expires(s3_events, event_bus):
    file_id = upload(ALICE, "chr20.vcf.gz", SAMPLE.read_bytes())
    deliver(s3_events.take())
    event_bus.captured_events()
    expires = datetime.fromisoformat(api("GET", f"/files/{file_id}", ALICE).body["expires_at"])
    assert expires - datetime.now(UTC) > timedelta(days=files_settings().retention_days) - timedelta(minutes=5)
    settings = files_settings()

    early = sweep(_at(expires - timedelta(hours=49)), settings)
    assert (early.warned, early.deleted) == (0, 0)
    warned = sweep(_at(expires - timedelta(hours=47)), settings)
    again = sweep(_at(expires - timedelta(hours=1)), settings)
    assert (warned.warned, warned.deleted, again.warned, again.deleted) == (1, 0, 0, 0)
    expiring = event_bus.captured_events("FileExpiring")
    assert [(e["detail"]["data"]["file_id"], e["detail"]["data"]["user_id"]) for e in expiring] == [
        (file_id, ALICE.user_id)
    ]
    assert api("GET", f"/files/{file_id}", ALICE).status == 200

    done = sweep(_at(expires + timedelta(seconds=1)), settings)
    assert (done.warned, done.deleted) == (0, 1)
    assert api("GET", f"/files/{file_id}", ALICE).status == 404
    assert event_bus.client("s3").list_objects_v2(Bucket=BUCKET, Prefix=f"users/{ALICE.user_id}/").get("KeyCount") == 0

    with files_reading() as repo:
        assert repo.files.actions(file_id) == [("retention", "expire")]


def test_an_abandoned_upload_expires_too_and_the_scheduled_function_sweeps(s3_events, event_bus, monkeypatch):
    monkeypatch.setenv("FILES_RETENTION_DAYS", "1")
    files_settings.cache_clear()
    created = api("POST", "/files", BOB, {"filename": "a.vcf.gz", "size_bytes": 10}).body
    put_parts(created["upload"], bytes(10))
    # kept a day, less than the 48 hours' warning: warned of at once by the scheduled function
    assert retention({}, lambda_context("files-retention")) == {"warned": 1, "deleted": 0}
    done = sweep(_at(datetime.now(UTC) + timedelta(days=1, minutes=1)), files_settings())
    assert (done.warned, done.deleted) == (0, 1)
    assert event_bus.client("s3").list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []


def _call(payload: dict[str, Any]) -> dict[str, Any]:
    return dict(results(payload, lambda_context("files-results")))


def test_a_jobs_result_is_registered_uploaded_and_stored_under_its_owners_prefix(s3_events, event_bus):
    data = b"PK\x03\x04 an imputed result, zipped" * 100
    registered = _call(
        {"action": "register", "user_id": ALICE.user_id, "job_id": "job-1",
         "file": {"filename": "chr20.zip", "size_bytes": len(data)}}
    )  # fmt: skip
    assert registered["status"] == "uploading", registered
    parts = put_parts(registered["upload"], data)
    stored = _call(
        {"action": "complete", "user_id": ALICE.user_id, "file_id": registered["id"], "completion": {"parts": parts}}
    )
    assert stored["status"] == "stored", stored
    assert deliver(s3_events.take()) == ["stored"]  # not validated: it is the servers' output
    shown = api("GET", f"/files/{registered['id']}", ALICE).body
    assert (shown["kind"], shown["job_id"], shown["status"]) == ("result", "job-1", "stored")
    assert api("GET", f"/files/{registered['id']}", BOB).status == 404
    keys = [o["Key"] for o in event_bus.client("s3").list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [f"users/{ALICE.user_id}/{registered['id']}/chr20.zip"]


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({"action": "register", "user_id": "u", "job_id": "j", "file": {"filename": "../x", "size_bytes": 1}},
         "invalid_request"),
        ({"action": "delete", "user_id": "u"}, "invalid_request"),
        ({"action": "complete", "user_id": "u", "file_id": "00000000-0000-0000-0000-000000000000",
          "completion": {"parts": [{"part_number": 1, "etag": "x"}]}}, "not_found"),
    ],
)  # fmt: skip
def test_the_results_function_refuses_what_it_cannot_do(files_db, payload, error):
    assert _call(payload)["error"] == error

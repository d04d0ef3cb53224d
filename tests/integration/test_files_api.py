"""The files API in-process, on SQLite and PostgreSQL, with moto's S3 behind real presigned URLs: an upload
in one part and a resumed one in three, its validation on S3's own event, downloads, deletion, and what
bad input and other users get."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from files.dal.unit_of_work import files_reading
from files.settings import files_settings
from tests.support.files import ADMIN, ALICE, BOB, BUCKET, S3Events, api, deliver, put_parts, upload

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "vcf" / "chr20.tiny.100snps.vcf.gz"
MIB = 1024**2


@pytest.fixture
def s3_events(files_db: str, event_bus) -> S3Events:
    return S3Events(event_bus).start()


def test_a_small_file_is_one_part_under_the_callers_prefix_and_validates_on_s3s_event(s3_events, event_bus):
    data = SAMPLE.read_bytes()
    created = api("POST", "/files", ALICE, {"filename": "chr20.vcf.gz", "size_bytes": len(data), "build": "hg19"})
    assert created.status == 201, created.body
    assert created.body["status"] == "uploading"
    assert created.body["upload"]["part_size"] >= len(data)
    assert [part["part_number"] for part in created.body["upload"]["parts"]] == [1]
    file_id = created.body["id"]
    with files_reading() as repo:
        record = repo.files.get(file_id)
    assert record is not None
    assert record.key.startswith(f"users/{ALICE.user_id}/")

    parts = put_parts(created.body["upload"], data)
    completed = api("POST", f"/files/{file_id}/complete", ALICE, {"parts": parts})
    assert completed.status == 200, completed.body
    assert completed.body["status"] == "validating"
    events = s3_events.take()
    assert [event["detail"]["object"]["key"] for event in events] == [record.key]
    assert deliver(events + events) == ["validated", "duplicate"]  # delivered twice, applied once

    shown = api("GET", f"/files/{file_id}", ALICE).body
    assert shown["status"] == "valid", shown["findings"]
    assert shown["summary"]["samples"] == 51
    assert shown["summary"]["variants"] == 100
    assert shown["summary"]["chromosome"] == "20"
    assert shown["summary"]["build_detected"] == "hg19"
    assert shown["summary"]["size_bytes"] == len(data)
    validated = event_bus.captured_events("FileValidated")
    assert [(e["detail"]["data"]["file_id"], e["detail"]["data"]["status"]) for e in validated] == [(file_id, "valid")]


def test_an_upload_is_resumed_from_the_parts_s3_received(s3_events, monkeypatch):
    monkeypatch.setenv("FILES_MIN_PART_BYTES", str(5 * MIB))
    files_settings.cache_clear()
    data = os.urandom(12 * MIB)  # three parts: 5, 5 and 2 MiB
    created = api("POST", "/files", ALICE, {"filename": "big.vcf.gz", "size_bytes": len(data)}).body
    assert created["upload"]["part_size"] == 5 * MIB
    assert len(created["upload"]["parts"]) == 3
    first = put_parts(created["upload"], data, [1, 2])  # then the connection drops

    resumed = api("GET", f"/files/{created['id']}/upload", ALICE)
    assert resumed.status == 200, resumed.body
    assert [(p["part_number"], p["etag"], p["size_bytes"]) for p in resumed.body["received"]] == [
        (1, first[0]["etag"], 5 * MIB),
        (2, first[1]["etag"], 5 * MIB),
    ]
    rest = put_parts(resumed.body["upload"], data, [3])
    completed = api("POST", f"/files/{created['id']}/complete", ALICE, {"parts": first + rest})
    assert completed.status == 200, completed.body
    assert deliver(s3_events.take()) == ["validated"]
    shown = api("GET", f"/files/{created['id']}", ALICE).body
    assert shown["status"] == "invalid"  # random bytes are no VCF
    assert [finding["rule"] for finding in shown["findings"]] == ["format.not_vcf"]
    download = api("GET", f"/files/{created['id']}/download", ALICE).body
    assert httpx.get(download["url"]).content == data


def test_completing_refuses_parts_missing_or_not_as_received(s3_events, monkeypatch):
    monkeypatch.setenv("FILES_MIN_PART_BYTES", str(5 * MIB))
    files_settings.cache_clear()
    data = os.urandom(11 * MIB)
    created = api("POST", "/files", ALICE, {"filename": "x.vcf.gz", "size_bytes": len(data)}).body
    parts = put_parts(created["upload"], data, [1, 2])
    path = f"/files/{created['id']}/complete"
    missing = api("POST", path, ALICE, {"parts": [*parts, {"part_number": 3, "etag": '"abc"'}]})
    assert missing.status == 422
    assert [e["location"] for e in missing.body["errors"]] == ["body.parts.2"]
    wrong = api("POST", path, ALICE, {"parts": [parts[0], {"part_number": 2, "etag": '"0123"'}]})
    assert wrong.status == 422  # two parts of three
    assert api("POST", path, ALICE, {"parts": [parts[1], parts[0]]}).status == 422  # out of order
    short = put_parts({**created["upload"], "part_size": 5 * MIB}, data[: 11 * MIB - 1], [3])  # one byte short
    refused = api("POST", path, ALICE, {"parts": [*parts, *short]})
    assert [e["type"] for e in refused.body["errors"]] == ["part_size"]
    assert api("GET", f"/files/{created['id']}", ALICE).body["status"] == "uploading"


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"filename": "a.vcf.gz"}, "body.size_bytes"),
        ({"filename": "a.vcf.gz", "size_bytes": "12"}, "body.size_bytes"),
        ({"filename": "a.vcf.gz", "size_bytes": -1}, "body.size_bytes"),
        ({"filename": "a.vcf.gz", "size_bytes": 10**15}, "body.size_bytes"),  # over the configured maximum
        ({"filename": "../etc/passwd", "size_bytes": 1}, "body.filename"),
        ({"filename": "a.vcf.gz", "size_bytes": 1, "sha256": "XYZ"}, "body.sha256"),
        ({"filename": "a.vcf.gz", "size_bytes": 1, "build": "hg18"}, "body.build"),
        ({"filename": "a.vcf.gz", "size_bytes": 1, "key": "users/bob-0002/x"}, "body.key"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(files_db, body, location):
    answer = api("POST", "/files", ALICE, body)
    assert answer.status == 422, answer.body
    assert answer.content_type == "application/problem+json"
    assert location in [error["location"] for error in answer.body["errors"]]


@pytest.mark.parametrize(
    ("body", "told"),
    [
        ({"filename": "../etc/passwd", "size_bytes": 1}, "must be a plain file name"),
        ({"filename": "a.vcf.gz", "size_bytes": 1, "sha256": "XYZ"}, "64 lower-case hex digits"),
    ],
)
def test_a_name_or_checksum_of_the_wrong_form_is_told_how_to_write_it(files_db, body, told):
    detail = api("POST", "/files", ALICE, body).body["detail"]
    assert told in detail
    assert "^[" not in detail  # not the regular expression


@pytest.mark.parametrize(
    ("query", "location"),
    [({"status": "deleted"}, "query.status"), ({"limit": "0"}, "query.limit"), ({"offset": "-1"}, "query.offset")],
)
def test_a_bad_query_is_a_problem_naming_the_parameter(files_db, query, location):
    answer = api("GET", "/files", ALICE, query=query)
    assert answer.status == 422, answer.body
    assert location in [error["location"] for error in answer.body["errors"]]


def test_the_maximum_size_is_configurable(files_db, monkeypatch):
    monkeypatch.setenv("FILES_MAX_SIZE_BYTES", "1000")
    files_settings.cache_clear()
    assert api("POST", "/files", ALICE, {"filename": "a.vcf.gz", "size_bytes": 1001}).status == 422
    assert api("POST", "/files", ALICE, {"filename": "a.vcf.gz", "size_bytes": 1000}).status == 201


def test_one_user_cannot_reach_anothers_file_and_an_admin_sees_only_its_metadata(s3_events, event_bus):
    file_id = upload(ALICE, "chr20.vcf.gz", SAMPLE.read_bytes())
    deliver(s3_events.take())
    pending = api("POST", "/files", ALICE, {"filename": "b.vcf.gz", "size_bytes": 10}).body["id"]
    for method, path, body in [
        ("GET", f"/files/{file_id}", None),
        ("GET", f"/files/{file_id}/download", None),
        ("DELETE", f"/files/{file_id}", None),
        ("GET", f"/files/{pending}/upload", None),
        ("POST", f"/files/{pending}/complete", {"parts": [{"part_number": 1, "etag": '"a"'}]}),
        ("POST", f"/files/{pending}/abort", None),
    ]:
        assert api(method, path, BOB, body).status == 404, (method, path)
    assert api("GET", "/files", BOB).body == {"items": [], "total": 0, "limit": 50, "offset": 0}
    mine = api("GET", "/files", ALICE, query={"status": "valid"}).body
    assert [item["id"] for item in mine["items"]] == [file_id]
    assert mine["total"] == 1
    assert api("GET", "/files", ALICE, query={"limit": "1", "offset": "1"}).body["total"] == 2

    seen = api("GET", f"/files/{file_id}", ADMIN)
    assert seen.status == 200
    assert seen.body["status"] == "valid"
    assert api("GET", f"/files/{file_id}/download", ADMIN).status == 403
    assert api("DELETE", f"/files/{file_id}", ADMIN).status == 404
    s3 = event_bus.client("s3")
    with files_reading() as repo:
        record = repo.files.get(file_id)
        assert record is not None
        assert repo.files.actions(file_id) == []
    assert s3.head_object(Bucket=BUCKET, Key=record.key)["ContentLength"] == SAMPLE.stat().st_size


def test_downloads_and_deletions_are_recorded_and_a_deleted_file_is_gone(s3_events, event_bus):
    data = SAMPLE.read_bytes()
    file_id = upload(ALICE, "chr20.vcf.gz", data)
    deliver(s3_events.take())
    link = api("GET", f"/files/{file_id}/download", ALICE)
    assert link.status == 200, link.body
    assert httpx.get(link.body["url"]).content == data
    with files_reading() as repo:
        record = repo.files.get(file_id)
    assert api("DELETE", f"/files/{file_id}", ALICE).status == 204
    assert api("GET", f"/files/{file_id}", ALICE).status == 404
    assert api("GET", f"/files/{file_id}/download", ALICE).status == 404
    with files_reading() as repo:
        assert repo.files.actions(file_id) == [(ALICE.user_id, "download"), (ALICE.user_id, "delete")]
    assert record is not None
    assert event_bus.client("s3").list_objects_v2(Bucket=BUCKET, Prefix=record.key).get("KeyCount") == 0


def test_an_aborted_upload_leaves_nothing(s3_events, event_bus):
    created = api("POST", "/files", ALICE, {"filename": "a.vcf.gz", "size_bytes": 100}).body
    put_parts(created["upload"], bytes(100))
    assert api("POST", f"/files/{created['id']}/abort", ALICE).status == 204
    assert api("GET", f"/files/{created['id']}", ALICE).status == 404
    assert event_bus.client("s3").list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []
    assert s3_events.take() == []


def test_an_upload_that_is_over_cannot_be_completed_or_resumed(s3_events):
    file_id = upload(ALICE, "chr20.vcf.gz", SAMPLE.read_bytes())
    assert api("GET", f"/files/{file_id}/upload", ALICE).status == 409
    again = api("POST", f"/files/{file_id}/complete", ALICE, {"parts": [{"part_number": 1, "etag": '"a"'}]})
    assert again.status == 409
    assert api("POST", f"/files/{file_id}/abort", ALICE).status == 409

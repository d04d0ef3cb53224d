"""The internal `inputs` function the jobs domain asks before a submission, on SQLite and PostgreSQL with
the bucket in moto: each file's owner check, status and summary, and a presigned GET for valid files only,
recorded among the file's actions; another user's file is answered as a missing one."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from files.dal.unit_of_work import files_reading
from files.handlers.inputs import handler as inputs
from local_platform.events import lambda_context
from tests.support.files import ALICE, BOB, S3Events, deliver, upload

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "vcf" / "chr20.tiny.100snps.vcf.gz"


@pytest.fixture
def s3_events(files_db: str, event_bus) -> S3Events:
    return S3Events(event_bus).start()


def _call(payload: dict[str, Any]) -> dict[str, Any]:
    return dict(inputs(payload, lambda_context("files-inputs")))


def test_a_users_valid_file_comes_with_its_summary_and_a_link_that_fetches_it(s3_events):
    data = SAMPLE.read_bytes()
    valid = upload(ALICE, "chr20.vcf.gz", data, build="hg19")
    invalid = upload(ALICE, "notes.vcf.gz", b"not a vcf at all")
    bobs = upload(BOB, "chr20.vcf.gz", data)
    assert deliver(s3_events.take()) == ["validated"] * 3
    missing = str(uuid.uuid4())

    answer = _call({"user_id": ALICE.user_id, "file_ids": [valid, invalid, bobs, missing]})
    files = answer["files"]
    assert [f["id"] for f in files] == [valid, invalid, bobs, missing]
    first = files[0]
    assert (first["found"], first["status"], first["filename"], first["build"]) == (
        True,
        "valid",
        "chr20.vcf.gz",
        "hg19",
    )
    assert first["summary"] == {"samples": 51, "chromosome": "20", "build_detected": "hg19"}
    assert first["size_bytes"] == len(data)
    assert first["url_expires_at"] is not None
    fetched = httpx.get(first["url"])
    assert fetched.status_code == 200
    assert fetched.content == data

    assert (files[1]["found"], files[1]["status"], files[1]["url"]) == (True, "invalid", None)
    assert files[2] == files[3] | {"id": bobs}  # another's file is told apart from no file at all by nothing
    assert (files[3]["found"], files[3]["status"], files[3]["url"]) == (False, None, None)

    with files_reading() as repo:
        assert repo.files.actions(valid) == [(ALICE.user_id, "submit")]
        assert repo.files.actions(invalid) == []
        assert repo.files.actions(bobs) == []


@pytest.mark.parametrize(
    "payload",
    [
        {"user_id": "alice", "file_ids": []},
        {"user_id": "alice", "file_ids": ["not-a-uuid"]},
        {"user_id": "alice"},
        {"user_id": "alice", "file_ids": [str(uuid.uuid4())], "extra": 1},
    ],
)
def test_a_malformed_call_is_refused_naming_what_is_wrong(files_db, payload):
    answer = _call(payload)
    assert answer["error"] == "invalid_request"
    assert answer["detail"]

"""A file's residency narrowing, on SQLite and PostgreSQL: set when the upload starts, replaced by its
owner alone (`PUT /files/{id}/residency`), shown with the file, and handed to the jobs domain with each
file by the internal `inputs` function."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from files.handlers.inputs import handler as inputs
from local_platform.events import lambda_context
from tests.support.files import ADMIN, ALICE, BOB, S3Events, api, deliver, upload

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "vcf" / "chr20.tiny.100snps.vcf.gz"
SERVICE = str(uuid.uuid4())


@pytest.fixture
def s3_events(files_db: str, event_bus) -> S3Events:
    return S3Events(event_bus).start()


def _narrowing(answer: dict[str, Any]) -> tuple[list[str], list[str]]:
    return answer["allowed_countries"], answer["allowed_services"]


def test_a_narrowing_set_at_upload_is_shown_changed_by_the_owner_and_handed_to_jobs(s3_events):
    narrowed = upload(ALICE, "chr20.vcf.gz", SAMPLE.read_bytes(), allowed_countries=["ZA"])
    plain = upload(ALICE, "chr21.vcf.gz", SAMPLE.read_bytes())
    deliver(s3_events.take())
    assert _narrowing(api("GET", f"/files/{narrowed}", ALICE).body) == (["ZA"], [])
    assert _narrowing(api("GET", f"/files/{plain}", ALICE).body) == ([], [])
    listed = {item["id"]: _narrowing(item) for item in api("GET", "/files", ALICE).body["items"]}
    assert listed == {narrowed: (["ZA"], []), plain: ([], [])}

    changed = api("PUT", f"/files/{plain}/residency", ALICE, {"allowed_countries": ["NG", "ZA"],
                                                             "allowed_services": [SERVICE]})  # fmt: skip
    assert changed.status == 200, changed.body
    assert _narrowing(changed.body) == (["NG", "ZA"], [SERVICE])

    answer = dict(inputs({"user_id": ALICE.user_id, "file_ids": [narrowed, plain], "links": False},
                         lambda_context("files-inputs")))  # fmt: skip
    assert [_narrowing(file) for file in answer["files"]] == [(["ZA"], []), (["NG", "ZA"], [SERVICE])]

    cleared = api("PUT", f"/files/{plain}/residency", ALICE, {"allowed_countries": [], "allowed_services": []})
    assert _narrowing(cleared.body) == ([], [])


def test_only_the_owner_narrows_a_file(s3_events):
    file_id = upload(ALICE, "chr20.vcf.gz", SAMPLE.read_bytes(), allowed_countries=["ZA"])
    widen: dict[str, list[str]] = {"allowed_countries": [], "allowed_services": []}
    assert api("PUT", f"/files/{file_id}/residency", BOB, widen).status == 404
    assert api("PUT", f"/files/{file_id}/residency", ADMIN, widen).status == 404  # not the admin's file either
    assert api("PUT", f"/files/{uuid.uuid4()}/residency", ALICE, widen).status == 404
    assert _narrowing(api("GET", f"/files/{file_id}", ALICE).body) == (["ZA"], [])


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"allowed_countries": ["UK"], "allowed_services": []}, "body.allowed_countries.0"),
        ({"allowed_countries": ["ZA", "ZA"], "allowed_services": []}, "body"),
        ({"allowed_countries": [], "allowed_services": ["h3africa"]}, "body.allowed_services.0"),
        ({"allowed_countries": ["ZA"]}, "body.allowed_services"),
    ],
)
def test_a_malformed_narrowing_is_refused_naming_the_field(s3_events, body, location):
    file_id = upload(ALICE, "chr20.vcf.gz", SAMPLE.read_bytes())
    answer = api("PUT", f"/files/{file_id}/residency", ALICE, body)
    assert answer.status == 422, answer.body
    assert location in [error["location"] for error in answer.body["errors"]]
    created = api("POST", "/files", ALICE, {"filename": "x.vcf.gz", "size_bytes": 1, "allowed_countries": ["XX"]})
    assert created.status == 422
    assert created.body["errors"][0]["location"] == "body.allowed_countries.0"
    assert _narrowing(api("GET", f"/files/{file_id}", ALICE).body) == ([], [])

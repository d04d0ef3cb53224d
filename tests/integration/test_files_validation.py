"""Validation of uploaded files on S3's own `Object Created` events, read back with ranged GETs: the sample
files, the generated broken set (one per rule and per way a stream breaks), the split into ranges agreeing
with one pass, and what the upload declared (size, checksum) held against what arrived."""

from __future__ import annotations

import hashlib
import io
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Any

import pytest

from files.adapters.s3 import S3Object, S3Store
from files.dal.unit_of_work import files_repository
from files.handlers.wiring import files_adapters
from files.logic import validation
from files.settings import files_settings
from files.validation import Limits, validate
from fip_core.aws import aws_client
from tests.support.files import ALICE, S3Events, api, deliver, upload
from tests.unit.files.cases import BROKEN, DATA, SAMPLES

DEFAULT = Limits()
# the broken files a user can upload under the default limits; the others need limits of their own
HELD_OUT = [case for case in BROKEN.values() if case.limits == DEFAULT]


@pytest.fixture
def s3_events(files_db: str, event_bus) -> S3Events:
    return S3Events(event_bus).start()


def _validated(s3_events: S3Events, name: str, data: bytes, **declared: object) -> dict[str, Any]:
    file_id = upload(ALICE, name, data, **declared)
    assert deliver(s3_events.take()) == ["validated"]
    return dict(api("GET", f"/files/{file_id}", ALICE).body)


@pytest.mark.parametrize("sample", SAMPLES)
def test_the_samples_are_valid_but_the_seven_sample_one_under_a_minimum_of_twenty(s3_events, sample):
    shown = _validated(s3_events, sample, (DATA / sample).read_bytes())
    if sample.startswith("testdata_chr22"):
        assert shown["status"] == "invalid"
        assert [f["rule"] for f in shown["findings"]] == ["samples.too_few"]
        assert shown["summary"]["build_detected"] == "hg38"
    else:
        assert shown["status"] == "valid", shown["findings"]


def test_the_minimum_of_samples_is_configurable(s3_events, monkeypatch):
    monkeypatch.setenv("FILES_MIN_SAMPLES", "5")  # the public Michigan server's
    files_settings.cache_clear()
    name = "testdata_chr22_48513151_50509881_phased.vcf.gz"
    assert _validated(s3_events, name, (DATA / name).read_bytes())["status"] == "valid"


def test_each_broken_file_is_invalid_naming_its_rule(s3_events):
    wrong = []
    for case in HELD_OUT:
        build = {"build": case.build} if case.build else {}
        shown = _validated(s3_events, "broken.vcf.gz", case.make(), **build)
        rules = {finding["rule"] for finding in shown["findings"]}
        expected_status = "valid" if case.rule == "genotype.unphased" else "invalid"  # a warning only
        if case.rule not in rules or shown["status"] != expected_status:
            wrong.append((case.rule, shown["status"], rules))
    assert wrong == []


@pytest.mark.parametrize("name", [*SAMPLES, "position.unsorted", "chromosome.multiple", "stream.truncated"])
def test_ranges_validated_at_once_agree_with_one_pass(s3_events, monkeypatch, name):
    monkeypatch.setenv("FILES_SPLIT_ABOVE_BYTES", "1")
    monkeypatch.setenv("FILES_PARALLEL_RANGES", "4")
    files_settings.cache_clear()
    data = BROKEN[name].make() if name in BROKEN else (DATA / name).read_bytes()
    shown = _validated(s3_events, "split.vcf.gz", data)
    single = validate(io.BytesIO(data), DEFAULT, None)
    assert shown["findings"] == [asdict(found) for found in single.findings]
    assert shown["summary"] == (asdict(single.summary) if single.summary else None)


def test_a_checksum_declared_is_held_to_what_arrived(s3_events):
    data = (DATA / SAMPLES[0]).read_bytes()
    right = _validated(s3_events, "a.vcf.gz", data, sha256=hashlib.sha256(data).hexdigest())
    assert right["status"] == "valid"
    assert right["summary"]["sha256"] == hashlib.sha256(data).hexdigest()
    wrong = _validated(s3_events, "b.vcf.gz", data, sha256="0" * 64)
    assert wrong["status"] == "invalid"
    assert [f["rule"] for f in wrong["findings"]] == ["upload.checksum"]


def test_a_file_deleted_while_it_is_read_is_not_reported(s3_events, event_bus):
    file_id = upload(ALICE, "a.vcf.gz", (DATA / SAMPLES[0]).read_bytes())
    (event,) = s3_events.take()
    event_bus.captured_events()

    class DeletedWhileRead(S3Store):
        def source(self, key: str, size: int) -> S3Object:
            with files_repository() as repo:  # its owner deletes it as the validator starts reading
                repo.files.change(file_id, datetime.now(UTC), deleted_at=datetime.now(UTC))
            return super().source(key, size)

    adapters = files_adapters()
    reading = replace(adapters, store=DeletedWhileRead(aws_client("s3"), files_settings().store_bucket))
    assert validation.on_object_created(reading, files_settings(), event) == "deleted meanwhile"
    assert deliver([event]) == ["duplicate"]
    assert event_bus.captured_events("FileValidated") == []

"""A large file's ranges validated by invocations of the internal `validate-range` function, through
Lambda's Invoke API (the local platform's, on loopback), as the cloud does: the merged report is the
one a single pass gives, one invocation per range; a range that cannot be validated fails the whole
validation, so that S3's event is delivered again."""

from __future__ import annotations

import io
from dataclasses import asdict
from typing import Any

import pytest

from files.declaration import VALIDATE_RANGE
from files.handlers.wiring import validation_adapters
from files.settings import files_settings
from files.validation import LocalFile, plan, read_header, validate
from fip_core import calls
from fip_core.aws import aws_client
from infra.domains import DOMAINS
from local_platform.invoke import LambdaInvokeApi, LambdaInvokeServer
from tests.integration.test_files_validation import DEFAULT
from tests.support.files import ALICE, S3Events, api, deliver, upload
from tests.unit.files.cases import BROKEN, DATA, SAMPLES


class RangeInvocations:
    """The Invoke API answering `files-validate-range` with the real handler; what it was asked."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail = False

    def invoke(self, domain: str, function: str, payload: Any) -> Any:
        assert (domain, function) == ("files", "validate-range")
        self.requests.append(payload)
        if self.fail:
            raise OSError("the range's read was cut")
        from files.handlers.validate_range import handler
        from local_platform.events import lambda_context

        return handler(payload, lambda_context("files-validate-range"))


@pytest.fixture
def invocations(files_db: str, event_bus, monkeypatch) -> Any:
    ranges = RangeInvocations()
    server = LambdaInvokeServer(LambdaInvokeApi(DOMAINS, ranges.invoke))
    server.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", server.endpoint)
    monkeypatch.setenv(VALIDATE_RANGE.variable("files"), "files-validate-range")
    monkeypatch.setenv("FILES_SPLIT_ABOVE_BYTES", "4096")
    monkeypatch.setenv("FILES_PARALLEL_RANGES", "5")
    files_settings.cache_clear()
    aws_client.cache_clear()  # the Lambda client is made for the endpoint above
    assert calls.declared("files", VALIDATE_RANGE)
    assert validation_adapters().ranges is not None
    yield ranges
    server.stop()
    files_settings.cache_clear()
    aws_client.cache_clear()


@pytest.fixture
def s3_events(files_db: str, event_bus) -> S3Events:
    return S3Events(event_bus).start()


@pytest.mark.parametrize("name", [SAMPLES[0], "position.unsorted", "chromosome.multiple", "stream.truncated"])
def test_ranges_validated_by_invocations_agree_with_one_pass(invocations, s3_events, tmp_path, name):
    data = BROKEN[name].make() if name in BROKEN else (DATA / name).read_bytes()
    file_id = upload(ALICE, "split.vcf.gz", data)
    assert deliver(s3_events.take()) == ["validated"]
    shown = api("GET", f"/files/{file_id}", ALICE).body
    single = validate(io.BytesIO(data), DEFAULT, None)
    assert shown["findings"] == [asdict(found) for found in single.findings]
    assert shown["summary"] == (asdict(single.summary) if single.summary else None)
    path = tmp_path / "split.vcf.gz"
    path.write_bytes(data)
    source = LocalFile(str(path), len(data))
    found = read_header(source, DEFAULT)
    assert found is not None
    planned = plan(source, files_settings().ranges_for(len(data)), found[1])
    assert sorted(request["start"] for request in invocations.requests) == [start for start, _ in planned]
    first = next(request for request in invocations.requests if request["start"] == 0)
    assert first["samples"] == []  # the first range reads the header itself; the others are given it


def test_a_range_that_fails_fails_the_validation(invocations, s3_events):
    invocations.fail = True
    file_id = upload(ALICE, "split.vcf.gz", (DATA / SAMPLES[0]).read_bytes())
    events = s3_events.take()
    with pytest.raises(Exception, match="validate-range failed"):
        deliver(events)
    assert api("GET", f"/files/{file_id}", ALICE).body["status"] == "validating"
    invocations.fail = False
    assert deliver(events) == ["validated"]  # S3's event delivered again
    assert api("GET", f"/files/{file_id}", ALICE).body["status"] == "valid"

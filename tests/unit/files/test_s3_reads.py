"""The validator reads an S3 object through ranged GETs, a bounded chunk at a time: never the whole
object in memory, each range of a split starting at a block the plan chose, and the outcome the same as
one pass over the bytes. A fake of boto3's `get_object` (the Range header as S3 applies it) records
every GET and every read."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

from files.adapters.s3 import READ_CHUNK, S3Object
from files.logic.validation import run_validation
from files.settings import FilesSettings
from files.validation import Limits, LocalFile, plan, read_header, validate
from tests.unit.files.cases import BROKEN, DATA

RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")


@dataclass
class _Body:
    data: bytes
    reads: list[int]
    at: int = 0

    def read(self, size: int = -1) -> bytes:
        size = len(self.data) - self.at if size < 0 else size
        self.reads.append(size)
        chunk = self.data[self.at : self.at + size]
        self.at += len(chunk)
        return chunk

    def close(self) -> None:
        pass


@dataclass
class FakeS3:
    """`get_object` with a Range, as S3 answers it (an inclusive end, or to the object's end)."""

    data: bytes
    ranges: list[str] = field(default_factory=list)
    reads: list[int] = field(default_factory=list)

    def get_object(self, *, Bucket: str, Key: str, Range: str) -> dict[str, Any]:  # noqa: N803 - boto3's names
        self.ranges.append(Range)
        match = RANGE.match(Range)
        assert match is not None
        start, end = int(match[1]), int(match[2]) + 1 if match[2] else len(self.data)
        assert start < len(self.data)  # S3 answers 416 otherwise: the reader must not ask
        return {"Body": _Body(self.data[start:end], self.reads)}


def _settings(**changes: Any) -> FilesSettings:
    return FilesSettings(store_bucket="b", **changes)


def test_one_pass_reads_one_range_a_chunk_at_a_time():
    data = (DATA / "chr20.R50.merged.1.330k.recode.small.vcf.gz").read_bytes()
    s3 = FakeS3(data)
    report = run_validation(S3Object(s3, "b", "k", len(data)), _settings(), None)
    assert report.valid
    assert s3.ranges == ["bytes=0-"]
    assert max(s3.reads) <= READ_CHUNK


def test_a_split_reads_each_planned_range_and_agrees_with_one_pass(tmp_path):
    for name in ("chr20.R50.merged.1.330k.recode.small.vcf.gz", "position.unsorted"):
        data = BROKEN[name].make() if name in BROKEN else (DATA / name).read_bytes()
        s3 = FakeS3(data)
        report = run_validation(S3Object(s3, "b", "k", len(data)), _settings(split_above_bytes=1), None)
        assert report == validate(io.BytesIO(data), Limits(), None)
        path = tmp_path / "f.vcf.gz"
        path.write_bytes(data)
        local = LocalFile(str(path), len(data))
        header = read_header(local, Limits())
        assert header is not None
        starts = {f"bytes={start}-" for start, _ in plan(local, 4, header[1])}
        assert len(starts) > 1
        assert starts <= set(s3.ranges)  # every range from its own block (and the checksum's from 0)
        assert max(s3.reads) <= READ_CHUNK


def test_an_empty_object_is_not_read():
    s3 = FakeS3(b"")
    report = run_validation(S3Object(s3, "b", "k", 0), _settings(), None)
    assert [finding.rule for finding in report.findings] == ["format.empty"]
    assert s3.ranges == []

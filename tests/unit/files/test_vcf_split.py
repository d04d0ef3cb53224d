"""The split of a file into byte ranges at block boundaries, validated apart and merged (on threads, or
sent as JSON as between Lambda invocations), agrees with a single pass on every test file; and a
validation reads a bounded amount at a time."""

from __future__ import annotations

import binascii
import io
import itertools
import json
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from files.validation import (
    Limits,
    LocalFile,
    RangeResult,
    plan,
    read_header,
    validate,
    validate_parallel,
    validate_range,
)
from files.validation.bgzf import MAX_BLOCK_BYTES
from files.validation.wire import result_from_json, result_to_json
from tests.support.bgzf import EOF_BLOCK, blocks
from tests.unit.files.cases import BROKEN, DATA, SAMPLES, SMALL_BLOCKS, lines

PARTS = (2, 3, 7, 40)


def _files() -> Iterator[tuple[str, bytes, Limits, str | None]]:
    for name in SAMPLES:
        yield name, (DATA / name).read_bytes(), Limits(min_samples=5), None
    # the 7,824-record sample in small blocks: ranges of many blocks, lines cut at most boundaries
    yield "R50-small-blocks", joined_sample(), Limits(), None
    for rule, case in BROKEN.items():
        yield rule, case.make(), case.limits, case.build


def joined_sample() -> bytes:
    """The largest sample re-compressed in small blocks."""
    import gzip

    from tests.support.bgzf import bgzip

    text = gzip.decompress((DATA / "chr20.R50.merged.1.330k.recode.small.vcf.gz").read_bytes())
    return bgzip(text, size=SMALL_BLOCKS)


FILES = list(_files())


@pytest.mark.parametrize(("name", "data", "limits", "build"), FILES, ids=[name for name, *_ in FILES])
def test_the_split_agrees_with_a_single_pass(tmp_path: Path, name, data, limits, build) -> None:
    path = tmp_path / "input.vcf.gz"
    path.write_bytes(data)
    single = validate(io.BytesIO(data), limits, build)
    source = LocalFile(str(path), len(data))
    with ThreadPoolExecutor(3) as executor:
        for parts in PARTS:
            assert validate_parallel(source, limits, build, parts=parts, run=executor.map) == single, parts
            # each range's result sent as JSON and read back, as between Lambda invocations
            sent = validate_parallel(source, limits, build, parts=parts, run=_through_json(limits))
            assert sent == single, (parts, "through JSON")


def _through_json(limits: Limits) -> Callable[..., Iterator[RangeResult]]:
    """An executor's `map` whose results are sent as JSON text and read back."""

    def run(task: Callable[..., RangeResult], *arguments: Iterable[Any]) -> Iterator[RangeResult]:
        for each in zip(*arguments, strict=True):
            yield result_from_json(json.loads(json.dumps(result_to_json(task(*each)))), limits)

    return run


def test_what_is_not_a_range_result_is_refused() -> None:
    _, data, limits, _ = FILES[0]
    result = result_to_json(validate_range(io.BytesIO(data), 0, None, limits, None))
    with pytest.raises(KeyError):
        result_from_json({"start": 0}, limits)
    with pytest.raises(binascii.Error):  # a ValueError
        result_from_json({**result, "carry": "not base64!"}, limits)


def test_the_split_makes_the_ranges_asked_for_each_starting_at_a_block(tmp_path: Path) -> None:
    data = joined_sample()
    path = tmp_path / "input.vcf.gz"
    path.write_bytes(data)
    source = LocalFile(str(path), len(data))
    found = read_header(source, Limits())
    assert found is not None
    header, header_end = found
    assert len(header.samples) == 51
    ranges = plan(source, 7, header_end)
    assert len(ranges) == 7
    assert ranges[0][0] == 0
    assert ranges[-1][1] is None
    for (_, end), (following, _) in itertools.pairwise(ranges):
        assert end == following
        assert data[following : following + 4] == b"\x1f\x8b\x08\x04"
        assert following >= header_end


class _Recording(io.RawIOBase):
    """A stream that records the largest read asked of it."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.pending = b""
        self.largest = 0
        self.total = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        assert size >= 0, "the validator must never read a stream to its end at once"
        self.largest = max(self.largest, size)
        while len(self.pending) < size:
            chunk = next(self.chunks, b"")
            if not chunk:
                break
            self.pending += chunk
        data, self.pending = self.pending[:size], self.pending[size:]
        self.total += len(data)
        return data


def _big_vcf(records: int) -> Iterator[bytes]:
    """A bgzipped VCF made as it is read: the sample's records repeated at rising positions."""
    rows = lines()
    body = [row.split(b"\t", 2) for row in rows[3:]]

    def text() -> Iterator[bytes]:
        yield b"\n".join(rows[:3]) + b"\n"
        for number in range(records):
            _, _, rest = body[number % len(body)]
            yield b"20\t%d\t%s\n" % (number + 1, rest)

    yield from blocks(text())
    yield EOF_BLOCK


def test_a_validation_reads_one_block_at_a_time_and_holds_no_more() -> None:
    records = 40_000  # about 10 MB of text
    stream = _Recording(_big_vcf(records))
    tracemalloc.start()
    try:
        report = validate(stream, Limits())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.findings == []
    assert report.summary is not None
    assert report.summary.variants == records
    assert stream.total > 10 * MAX_BLOCK_BYTES
    assert stream.largest <= 1024 * 1024  # one block, or the hashing of what is left
    # the file holds about 10 MB of text; the validator never held more than a few blocks of it
    assert peak < 2 * 1024 * 1024, peak


def test_bytes_that_look_like_a_block_header_inside_a_block_are_not_taken_for_one(tmp_path: Path) -> None:
    # stored (uncompressed) blocks carry the text as it is: an INFO value holding a BGZF header,
    # whose size leads nowhere, sits inside a block where the split will look for one
    fake = b"\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff\x06\x00BC\x02\x00\x10\x00"
    rows = lines()
    rows[3:] = [row.replace(b"\t.\tGT\t", b"\tX=" + fake + b"\tGT\t", 1) for row in rows[3:]]
    data = b"".join(blocks([b"\n".join(rows) + b"\n"], level=0, size=SMALL_BLOCKS)) + EOF_BLOCK
    path = tmp_path / "input.vcf.gz"
    path.write_bytes(data)
    source = LocalFile(str(path), len(data))
    found = read_header(source, Limits())
    assert found is not None
    real = set()
    offset = 0
    while offset < len(data):
        real.add(offset)
        offset += int.from_bytes(data[offset + 16 : offset + 18], "little") + 1
    assert data.count(fake) > len(real)
    for parts in (5, 17):
        starts = {start for start, _ in plan(source, parts, found[1])}
        assert starts <= real
        assert validate_parallel(source, Limits(), parts=parts) == validate(io.BytesIO(data), Limits())


def test_the_ranges_can_run_in_worker_processes(tmp_path: Path) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    data = joined_sample()
    path = tmp_path / "input.vcf.gz"
    path.write_bytes(data)
    source = LocalFile(str(path), len(data))
    # spawned, not forked: the checksum thread runs while the pool starts its workers
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as executor:
        split = validate_parallel(source, Limits(), parts=4, run=executor.map)
    assert split == validate(io.BytesIO(data), Limits())
    assert split.valid

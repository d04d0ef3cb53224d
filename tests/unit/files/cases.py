"""The VCFs the validator is tested on: the four sample files, and a generated set of broken files,
one per rule and one per way a stream can be corrupt, each made from a sample by one change."""

from __future__ import annotations

import gzip
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from files.validation import Build, Limits
from tests.support.bgzf import EOF_BLOCK, bgzip

DATA = Path(__file__).resolve().parents[2] / "data" / "vcf"
SAMPLES = sorted(path.name for path in DATA.glob("*.vcf.gz"))
# small blocks make many block boundaries, so that the range split crosses lines and records
SMALL_BLOCKS = 4096


@cache
def text(name: str = "chr20.small.1000snps.vcf.gz") -> bytes:
    """A sample file's decompressed text."""
    return gzip.decompress((DATA / name).read_bytes())


def lines() -> list[bytes]:
    """The lines of the 51-sample, 1,000-record sample (3 header lines), without ends of line."""
    return text().rstrip(b"\n").split(b"\n")


def joined(rows: list[bytes]) -> bytes:
    """Lines back into a bgzipped file of small blocks."""
    return bgzip(b"\n".join(rows) + b"\n", size=SMALL_BLOCKS)


def edit(index: int, change: Callable[[list[bytes]], list[bytes]]) -> bytes:
    """The sample with line `index`'s tab-separated fields changed, bgzipped."""
    rows = lines()
    rows[index] = b"\t".join(change(rows[index].split(b"\t")))
    return joined(rows)


def _set(position: int, value: bytes) -> Callable[[list[bytes]], list[bytes]]:
    def change(fields: list[bytes]) -> list[bytes]:
        fields[position] = value
        return fields

    return change


def _blocks(data: bytes) -> list[int]:
    """The offsets of a BGZF file's blocks."""
    offsets, offset = [], 0
    while offset < len(data):
        offsets.append(offset)
        offset += struct.unpack_from("<H", data, offset + 16)[0] + 1
    return offsets


def _damage(data: bytes, offset: int, replacement: bytes) -> bytes:
    return data[:offset] + replacement + data[offset + len(replacement) :]


def _bad_block() -> bytes:
    data = joined(lines())
    return _damage(data, _blocks(data)[5], b"\x00" * 4)


def _bad_crc() -> bytes:
    data = joined(lines())
    end = _blocks(data)[6]
    return _damage(data, end - 8, bytes(4))


def _truncated() -> bytes:
    data = joined(lines())
    return data[: _blocks(data)[7] + 100]


def _bgen() -> bytes:
    # the offset of the first variant, then the header block: its length, M variants, N samples, magic
    return struct.pack("<IIII", 20, 20, 1000, 51) + b"bgen" + bytes(200)


@dataclass(frozen=True)
class Broken:
    """A file that breaks `rule` and nothing else (under `limits` and `build`)."""

    rule: str
    make: Callable[[], bytes]
    limits: Limits = field(default_factory=Limits)
    build: Build | None = None


BROKEN: dict[str, Broken] = {
    case.rule: case
    for case in [
        Broken("format.empty", lambda: b""),
        Broken("format.plain_gzip", lambda: gzip.compress(text())),
        Broken("format.uncompressed_vcf", text),
        Broken("format.plink", lambda: b"\x6c\x1b\x01" + bytes(range(256)) * 4),
        Broken("format.bgen", _bgen),
        Broken("format.not_vcf", lambda: b"# rsid\tchromosome\tposition\tgenotype\nrs1\t1\t82154\tAA\n"),
        Broken("stream.bad_block", _bad_block),
        Broken("stream.crc", _bad_crc),
        Broken("stream.truncated", _truncated),
        Broken("stream.missing_eof", lambda: joined(lines())[: -len(EOF_BLOCK)]),
        Broken("stream.line_cut", lambda: bgzip(b"\n".join(lines())[:-7], size=SMALL_BLOCKS)),
        Broken("record.line_too_long", lambda: joined(lines()), Limits(max_line_bytes=300)),
        Broken("record.columns", lambda: edit(500, lambda fields: fields[:-1])),
        Broken("header.fileformat", lambda: joined([b"##fileformat=VCFv3.3", *lines()[1:]])),
        Broken("header.meta_line", lambda: joined([lines()[0], b"##no equals sign here", *lines()[1:]])),
        Broken("header.chrom_line", lambda: joined(lines()[:2] + lines()[3:])),
        Broken("samples.too_few", lambda: joined(lines()), Limits(min_samples=52)),
        Broken("samples.too_many", lambda: joined(lines()), Limits(max_samples=50)),
        Broken("samples.duplicate", lambda: edit(2, _set(11, b"FB00000"))),
        Broken("chromosome.multiple", lambda: joined(lines()[:900] + [b"21" + row[2:] for row in lines()[900:]])),
        Broken("chromosome.not_allowed", lambda: joined(lines()[:3] + [b"Y" + row[2:] for row in lines()[3:]])),
        Broken("chromosome.build_prefix", lambda: joined(lines()), build="hg38"),
        Broken("position.invalid", lambda: edit(400, _set(1, b"12x"))),
        Broken("position.unsorted", lambda: joined([*lines()[:600], lines()[601], lines()[600], *lines()[602:]])),
        Broken("alleles.invalid", lambda: edit(300, _set(3, b"Z"))),
        Broken("genotype.missing_gt", lambda: edit(700, lambda fields: [*fields[:8], b"DS", *[b"0.5"] * 51])),
        Broken("genotype.invalid", lambda: edit(800, _set(30, b"2|0"))),
        Broken("genotype.unphased", lambda: edit(200, _set(40, b"0/1"))),
        Broken("variants.none", lambda: joined(lines()[:3])),
    ]
}

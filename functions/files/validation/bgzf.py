"""BGZF, the blocked gzip that tabix indexes: what a file is from its first bytes, its blocks one at a
time, and where blocks begin.

Each block is at most 64 KiB compressed and decompresses on its own, so reading one block at a time
keeps memory constant and lets a big file be split at block boundaries.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol, cast

from isal import isal_zlib

from files.validation.model import Finding, StreamError, finding

GZIP_MAGIC = b"\x1f\x8b\x08"
# a BGZF header: gzip with FEXTRA, then (after mtime, xfl, os) XLEN 6 and the subfield BC of length 2
BGZF_ID = b"\x1f\x8b\x08\x04"
BGZF_SUBFIELD = b"\x06\x00BC\x02\x00"
HEADER_BYTES = 18
FOOTER_BYTES = 8
PLINK_BED_MAGIC = b"\x6c\x1b\x01"
# what sniff looks at: a BGZF header is 18 bytes, BGEN's magic is at bytes 16-20
SNIFF_BYTES = 64
# isal's stubs declare its error class as an instance of Exception; at run time it is the class
INFLATE_ERROR = cast(type[Exception], isal_zlib.error)
# the largest read the reader makes: one whole block
MAX_BLOCK_BYTES = 65536


class Readable(Protocol):
    """What a validation reads from: a file, an S3 GET body, a wrapper around either."""

    def read(self, size: int, /) -> bytes:
        """At most `size` bytes; fewer only at the end (or as a network read answers)."""
        ...


@dataclass(frozen=True)
class Block:
    """One decompressed block and where it starts in the file."""

    offset: int
    size: int
    data: bytes


# what a file that is not BGZF is, from its first bytes: the first test that matches names it
_REFUSALS: list[tuple[Callable[[bytes], bool], str, str]] = [
    (lambda start: not start, "format.empty", "The file is empty."),
    (
        lambda start: start.startswith(GZIP_MAGIC),
        "format.plain_gzip",
        "The file is compressed with plain gzip, not bgzip (BGZF): it cannot be indexed with tabix.",
    ),
    (
        lambda start: start.startswith(PLINK_BED_MAGIC),
        "format.plink",
        "This is a PLINK binary genotype file (.bed), not a VCF.",
    ),
    (lambda start: start[16:20] == b"bgen", "format.bgen", "This is a BGEN file, not a VCF."),
    (
        lambda start: start.startswith((b"##fileformat=VCF", b"#CHROM")),
        "format.uncompressed_vcf",
        "The VCF is not compressed: the servers take bgzipped VCF only.",
    ),
]


def sniff(start: bytes) -> Finding | None:
    """A finding when the first bytes of a file show it is not BGZF-compressed: plain gzip, PLINK,
    BGEN, an uncompressed VCF or other text. None when it looks like BGZF."""
    if start.startswith(BGZF_ID) and start[10:16] == BGZF_SUBFIELD:
        return None
    for matches, rule, message in _REFUSALS:
        if matches(start):
            return finding(rule, message)
    kind = "text" if _is_text(start) else "binary data"
    return finding("format.not_vcf", f"The file is {kind} in an unknown format, not a bgzipped VCF.")


def _is_text(data: bytes) -> bool:
    return not data.translate(None, bytes(range(32, 127)) + b"\t\r\n")


def blocks(stream: Readable, start: int = 0, end: int | None = None) -> Iterator[Block]:
    """The blocks of `stream` (positioned at `start`, a block boundary) that begin before `end` (or up
    to the end of the stream), decompressed and checked. Raises StreamError at the first block that
    cannot be read; the blocks before it have been yielded."""
    offset = start
    while end is None or offset < end:
        header = _read(stream, HEADER_BYTES)
        if not header:
            return
        if len(header) < HEADER_BYTES:
            raise StreamError(finding("stream.truncated", f"The file ends inside the block at byte {offset}."))
        if not (header.startswith(BGZF_ID) and header[10:16] == BGZF_SUBFIELD):
            raise StreamError(finding("stream.bad_block", f"The data at byte {offset} is not a BGZF block header."))
        size = struct.unpack_from("<H", header, 16)[0] + 1
        body = _read(stream, size - HEADER_BYTES)
        if len(body) < size - HEADER_BYTES:
            raise StreamError(
                finding("stream.truncated", f"The file ends inside the block at byte {offset} ({size} bytes).")
            )
        yield Block(offset, size, _inflate(body, offset))
        offset += size


def _inflate(body: bytes, offset: int) -> bytes:
    crc, length = struct.unpack_from("<II", body, len(body) - FOOTER_BYTES)
    try:
        data = isal_zlib.decompress(body[:-FOOTER_BYTES], wbits=-15)
    except INFLATE_ERROR as error:
        raise StreamError(
            finding("stream.bad_block", f"The block at byte {offset} does not decompress ({error}).")
        ) from None
    if len(data) != length:
        raise StreamError(
            finding("stream.bad_block", f"The block at byte {offset} holds {len(data)} bytes, not {length}.")
        )
    if isal_zlib.crc32(data) != crc:
        raise StreamError(finding("stream.crc", f"The checksum (CRC32) of the block at byte {offset} is wrong."))
    return data


def _read(stream: Readable, size: int) -> bytes:
    """Exactly `size` bytes, or fewer at the end of the stream (a network body may answer short)."""
    data = stream.read(size)
    while data and len(data) < size:
        more = stream.read(size - len(data))
        if not more:
            break
        data += more
    return data


# how many blocks in a row must chain from a candidate offset before it is taken for a block start
CHAIN = 3


def next_block_start(read_at: Callable[[int, int], bytes], offset: int, size: int) -> int:
    """The offset of the first BGZF block that starts at or after `offset`, or `size` when none does.

    A block header is 10 fixed bytes; a candidate is taken only when the next blocks chain from it
    (each header's size leads to the next header), so compressed data that happens to look like a
    header is not taken for one."""
    window = read_at(offset, 2 * MAX_BLOCK_BYTES + CHAIN * MAX_BLOCK_BYTES)
    position = 0
    while True:
        position = window.find(BGZF_ID, position)
        if position < 0 or offset + position >= size:
            return size
        if _chains(window, position, offset, size):
            return offset + position
        position += 1


def _chains(window: bytes, position: int, offset: int, size: int) -> bool:
    for _ in range(CHAIN):
        if offset + position == size or position + HEADER_BYTES > len(window):
            return True  # chained to the end of the file, or of what was read
        if window[position + 10 : position + 16] != BGZF_SUBFIELD or not window.startswith(BGZF_ID, position):
            return False
        position += struct.unpack_from("<H", window, position + 16)[0] + 1
    return True

"""A BGZF writer (what `bgzip` does) for the tests' and the benchmark's generated VCFs."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable, Iterator

# bgzip's block payload: at most 64 KiB compressed, so it stays a little under
BLOCK_TEXT = 65280
EOF_BLOCK = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


def block(data: bytes, level: int = 6) -> bytes:
    """One BGZF block holding `data` (at most BLOCK_TEXT bytes)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    body = compressor.compress(data) + compressor.flush()
    header = b"\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff\x06\x00BC\x02\x00" + struct.pack("<H", len(body) + 25)
    return header + body + struct.pack("<II", zlib.crc32(data), len(data))


def blocks(chunks: Iterable[bytes], level: int = 6, size: int = BLOCK_TEXT) -> Iterator[bytes]:
    """BGZF blocks of `size` bytes of text from the concatenated `chunks`, without the end-of-file
    block."""
    pending = b""
    for chunk in chunks:
        pending += chunk
        while len(pending) >= size:
            yield block(pending[:size], level)
            pending = pending[size:]
    if pending:
        yield block(pending, level)


def bgzip(text: bytes, *, eof: bool = True, size: int = BLOCK_TEXT) -> bytes:
    """`text` compressed as bgzip does it (blocks of `size` bytes of text: smaller ones make more
    block boundaries), with the end-of-file block unless told otherwise."""
    return b"".join(blocks([text], size=size)) + (EOF_BLOCK if eof else b"")

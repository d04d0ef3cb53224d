"""HTTP/1.1 on the wire, for one request per connection (RFC 9112): the request written out, the
answer read back with every size bounded.

Small on purpose: a client that sends `Connection: close` needs the status line, the header
fields and the three ways a body ends (Content-Length, chunked, the connection closing). h11 does
the same in pure Python at about 7x the CPU per exchange, a tenth of a health sweep's wall time.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

from fip_core.outbound.policy import BadUrlError, ConnectionLostError, NotHttpError, TooLargeError

HEAD_LIMIT = 65536  # status line and header fields together
STREAM_PIECE = 65536  # the most bytes of a body read at once
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_FIELD_VALUE = re.compile(r"[\t\x20-\x7e\x80-\xff]*")
_TARGET = re.compile(r"[\x21-\x7e]+")
_STATUS_LINE = re.compile(rb"HTTP/1\.[01] ([1-5][0-9][0-9])(?: [^\r\n]*)?")
_CHUNK_SIZE = re.compile(rb"[0-9a-fA-F]{1,15}")
_NO_BODY = frozenset({204, 304})


@dataclass(frozen=True)
class Answer:
    """A response as read from the wire: status, header fields (lower-case names) and body."""

    status: int
    headers: Mapping[str, str]
    body: bytes


def encode_request(method: str, target: str, headers: list[tuple[str, str]], body: bytes | None) -> bytes:
    """The bytes of a request; refuses what would let a header or the target run into the next line."""
    if not _TOKEN.fullmatch(method.encode("ascii", "replace")) or not _TARGET.fullmatch(target):
        raise BadUrlError(f"cannot send {method} {target!r}: not a valid method and request target")
    lines = [f"{method} {target} HTTP/1.1"]
    for name, value in headers:
        if not _TOKEN.fullmatch(name.encode("ascii", "replace")) or not _FIELD_VALUE.fullmatch(value):
            raise BadUrlError(f"cannot send the header {name!r}: a name or value with characters HTTP does not allow")
        lines.append(f"{name}: {value}")
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


async def read_answer(reader: asyncio.StreamReader, url: str, method: str, max_body_bytes: int) -> Answer:
    """Read one complete answer, skipping informational (1xx) ones; raises NotHttpError, ConnectionLostError or
    TooLargeError."""
    status, headers = await read_head(reader, url)
    if method == "HEAD" or status in _NO_BODY:
        return Answer(status, headers, b"")
    length = headers.get("content-length")
    if length is not None and not _chunked(headers):  # the common case, in one read: a probe's answer
        size = _content_length(length, url)
        if size > max_body_bytes:
            raise TooLargeError(f"{url} announced {size} bytes, more than {max_body_bytes}")
        try:
            return Answer(status, headers, await reader.readexactly(size))
        except asyncio.IncompleteReadError as error:
            raise ConnectionLostError(f"{url} closed the connection before answering completely") from error
    body = bytearray()
    async for chunk in body_chunks(reader, headers, url, max_body_bytes):
        body += chunk
    return Answer(status, headers, bytes(body))


async def read_head(reader: asyncio.StreamReader, url: str) -> tuple[int, dict[str, str]]:
    """The status and header fields of the final answer, informational (1xx) ones skipped."""
    try:
        while True:
            status, headers = await _read_head(reader, url)
            if status >= 200:
                return status, headers
    except asyncio.IncompleteReadError as error:
        raise ConnectionLostError(f"{url} closed the connection before answering completely") from error
    except asyncio.LimitOverrunError as error:
        raise NotHttpError(f"{url} answered a line longer than {HEAD_LIMIT} bytes") from error


def has_body(method: str, status: int) -> bool:
    """Whether an answer to this method with this status carries a body at all."""
    return method != "HEAD" and status not in _NO_BODY


async def body_chunks(
    reader: asyncio.StreamReader, headers: Mapping[str, str], url: str, limit: int | None
) -> AsyncIterator[bytes]:
    """The body in the pieces it arrives in, never more than `limit` bytes in all (None: no bound, for a
    download streamed onwards); the three ways a body ends are all read."""
    try:
        if _chunked(headers):
            async for chunk in _chunks(reader, url, limit):
                yield chunk
            return
        length = headers.get("content-length")
        if length is not None:
            size = _content_length(length, url)
            if limit is not None and size > limit:
                raise TooLargeError(f"{url} announced {size} bytes, more than {limit}")
            while size > 0:
                piece = await reader.read(min(size, STREAM_PIECE))
                if not piece:
                    raise asyncio.IncompleteReadError(b"", size)
                size -= len(piece)
                yield piece
            return
        received = 0  # no length: the body ends when the connection closes
        while more := await reader.read(STREAM_PIECE):
            received += len(more)
            if limit is not None and received > limit:
                raise TooLargeError(f"{url} answered more than {limit} bytes")
            yield more
    except asyncio.IncompleteReadError as error:
        raise ConnectionLostError(f"{url} closed the connection before answering completely") from error
    except asyncio.LimitOverrunError as error:
        raise NotHttpError(f"{url} answered a line longer than {HEAD_LIMIT} bytes") from error


async def _read_head(reader: asyncio.StreamReader, url: str) -> tuple[int, dict[str, str]]:
    head = await reader.readuntil(b"\r\n\r\n")  # the reader's limit (HEAD_LIMIT) bounds it
    status_line, *fields = head[:-4].split(b"\r\n")
    matched = _STATUS_LINE.fullmatch(status_line)
    if matched is None:
        raise NotHttpError(f"{url} did not answer with an HTTP/1.x status line")
    headers: dict[str, str] = {}
    for field in fields:
        name, colon, value = field.partition(b":")
        if not colon or not _TOKEN.fullmatch(name):
            raise NotHttpError(f"{url} answered a malformed header field")
        key = name.decode("ascii").lower()
        text = value.strip(b" \t").decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return int(matched.group(1)), headers


def _content_length(length: str, url: str) -> int:
    sizes = {part.strip() for part in length.split(",")}
    size = sizes.pop() if len(sizes) == 1 else ""
    if not size.isdigit() or not size.isascii():
        raise NotHttpError(f"{url} answered an invalid Content-Length")
    return int(size)


def _chunked(headers: Mapping[str, str]) -> bool:
    return headers.get("transfer-encoding", "").lower().rsplit(",", 1)[-1].strip() == "chunked"


async def _chunks(reader: asyncio.StreamReader, url: str, limit: int | None) -> AsyncIterator[bytes]:
    received = 0
    while True:
        size_line = (await reader.readuntil(b"\r\n")).split(b";", 1)[0].strip()
        if not _CHUNK_SIZE.fullmatch(size_line):
            raise NotHttpError(f"{url} answered a malformed chunk")
        size = int(size_line, 16)
        if size == 0:
            break
        received += size
        if limit is not None and received > limit:
            raise TooLargeError(f"{url} answered more than {limit} bytes")
        while size > 0:  # a large chunk is passed on in pieces, so that no chunk size fills memory
            piece = await reader.read(min(size, STREAM_PIECE))
            if not piece:
                raise asyncio.IncompleteReadError(b"", size)
            size -= len(piece)
            yield piece
        if await reader.readexactly(2) != b"\r\n":
            raise NotHttpError(f"{url} answered a malformed chunk")
    while await reader.readuntil(b"\r\n") != b"\r\n":  # trailer fields, if any, are not needed
        pass

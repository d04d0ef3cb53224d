"""HTTP as the adapters use it, every call through the outbound client (and so its policy): a JSON
call whose failures become `AdapterError`s, a download opened as a stream, and a multipart form whose
files are streamed into the request, from a byte source or piped from a presigned URL, so that no
genotype file is ever held in memory."""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeGuard
from urllib.parse import urlsplit

from fip_core.observability import observability
from fip_core.outbound.client import OutboundClient, StreamedBody
from fip_core.outbound.policy import (
    BadUrlError,
    BlockedAddressError,
    InsecureSchemeError,
    NotHttpError,
    OutboundError,
    TooLargeError,
)
from jobs import DOMAIN
from jobs.adapters.base import (
    AdapterError,
    BadTokenError,
    Download,
    InputFile,
    OutputFile,
    ProtocolError,
    ServiceRefusedError,
    ServiceUnavailableError,
    UnknownJobError,
    WaitingForServiceError,
)

MAX_JSON_BYTES = 8 * 1024 * 1024  # a job with thousands of log messages is still well under this
MAX_ERROR_BYTES = 65536  # the body of an error answer to a download
ACCEPT_JSON = {"Accept": "application/json"}
_POLICY_REFUSALS = (BadUrlError, BlockedAddressError, InsecureSchemeError)


@dataclass(frozen=True)
class JsonReply:
    """A service's answer: its status, its JSON document (None when the body is not JSON) and its text."""

    status: int
    document: Any
    text: str


async def call_json(
    client: OutboundClient,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes | StreamedBody | None = None,
    timeout_seconds: float = 60.0,
) -> JsonReply:
    """Send one request and read its answer as JSON; raises an AdapterError for what went wrong on the way
    (the answer's status is the caller's to judge)."""
    try:
        async with client.stream(
            method, url, headers={**ACCEPT_JSON, **(headers or {})}, body=body, timeout_seconds=timeout_seconds
        ) as answer:
            raw = await answer.read(MAX_JSON_BYTES)
    except OutboundError as error:
        raise adapter_error(error, url) from error
    return json_reply(answer.status, raw)


def json_reply(status: int, raw: bytes) -> JsonReply:
    """An answer's status and body, the body parsed as JSON where it is JSON."""
    try:
        document = json.loads(raw)
    except ValueError:  # UnicodeDecodeError among them
        document = None
    return JsonReply(status, document, raw.decode("utf-8", "replace"))


@dataclass(frozen=True)
class Refusals:
    """Which statuses a protocol answers for what; the rest: 400, 413 and 422 refuse the request, 429 and
    5xx are a service that cannot now, anything else is not understood."""

    bad_token: frozenset[int]
    unknown: frozenset[int]
    waiting: frozenset[int] = frozenset()


def refusal(reply: JsonReply, what: str, statuses: Refusals) -> AdapterError:
    """The error for an answer that is not a success, by its status, with the service's words."""
    words = message_of(reply)
    if reply.status in statuses.bad_token:
        return BadTokenError(f"the service refused the {what}: not authorised", service_message=words)
    if reply.status in statuses.unknown:
        return UnknownJobError(f"the service refused the {what}: unknown or not the caller's", service_message=words)
    if reply.status in statuses.waiting:
        return WaitingForServiceError(f"the service cannot take the {what} now", service_message=words)
    if reply.status in (400, 413, 422):
        return ServiceRefusedError(f"the service refused the {what}", service_message=words)
    if reply.status == 429 or reply.status >= 500:
        return ServiceUnavailableError(f"the service failed the {what} (HTTP {reply.status})", service_message=words)
    return ProtocolError(f"unexpected answer to the {what} (HTTP {reply.status})", service_message=words)


@asynccontextmanager
async def output_chunks(
    client: OutboundClient, output: OutputFile, headers: Mapping[str, str], statuses: Refusals
) -> AsyncIterator[Download]:
    """Open a result file's download: its body's chunks as they arrive, with its announced length, or the
    refusal its answer means."""
    try:
        async with client.stream("GET", output.url, headers=headers) as answer:
            if answer.status == 200:
                announced = answer.headers.get("content-length", "")
                yield Download(answer.chunks(), int(announced) if announced.isdigit() else None)
                return
            reply = json_reply(answer.status, await answer.read(MAX_ERROR_BYTES))
    except OutboundError as error:
        raise adapter_error(error, output.url) from error
    raise refusal(reply, f"download of {output.name}", statuses)


def adapter_error(error: OutboundError, url: str) -> ServiceRefusedError | ServiceUnavailableError | ProtocolError:
    """The adapter's error for a failed call: a URL the policy refuses will not change by waiting, an answer
    that is not HTTP or too large is not understood, anything else (refused, timed out, lost) may pass."""
    # the detail may quote the far side (a certificate's names, a resolver's message): logs only; the host
    # alone, since a path may hold a share link's hash
    host = urlsplit(url).netloc
    observability(DOMAIN).logger.info(
        "call to an imputation service failed", extra={"host": host, "reason": str(error)}
    )
    if isinstance(error, _POLICY_REFUSALS):
        return ServiceRefusedError(f"the outbound policy refuses this call ({error.kind})")
    if isinstance(error, NotHttpError | TooLargeError):
        return ProtocolError(f"the service's answer could not be read ({error.kind})")
    return ServiceUnavailableError(f"the service could not be reached ({error.kind})")


def dicts_in(value: Any) -> list[dict[str, Any]]:
    """The objects of a JSON list, at most the first thousand; nothing for what is not a list."""
    return [item for item in value[:1000] if isinstance(item, dict)] if isinstance(value, list) else []


def count(value: Any) -> TypeGuard[int]:
    """Whether a JSON value is a plausible count: an integer, not a boolean, 0 or more."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10**15


def message_of(reply: JsonReply) -> str:
    """The service's own words in an answer: its `message` or `msg`, else the body's text, shortened."""
    document = reply.document
    if isinstance(document, dict):
        for key in ("message", "msg", "detail"):
            if isinstance(document.get(key), str):
                return str(document[key])[:1000]
    return reply.text.strip()[:1000]


def multipart_form(
    client: OutboundClient, fields: Sequence[tuple[str, str]], files: Sequence[tuple[str, InputFile]]
) -> tuple[str, StreamedBody]:
    """A multipart/form-data body (RFC 7578) with its content type: the fields, then each file's bytes
    streamed from its source or its URL; the length is known beforehand from the files' sizes."""
    boundary = f"fip-{secrets.token_hex(16)}"
    heads = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields
    ]
    file_heads = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{file.name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        for name, file in files
    ]
    tail = f"--{boundary}--\r\n".encode()
    file_lengths = (len(head) + file.size + 2 for head, (_, file) in zip(file_heads, files, strict=True))
    length = sum(map(len, heads)) + sum(file_lengths) + len(tail)

    async def pieces() -> AsyncIterator[bytes]:
        for head in heads:
            yield head
        for head, (_, file) in zip(file_heads, files, strict=True):
            yield head
            async for chunk in file_bytes(client, file):
                yield chunk
            yield b"\r\n"
        yield tail

    return f"multipart/form-data; boundary={boundary}", StreamedBody(length, pieces())


async def file_bytes(client: OutboundClient, file: InputFile) -> AsyncIterator[bytes]:
    """A file's bytes from its source, or piped from its URL; exactly `file.size` of them or an error."""
    if file.source is not None:
        pieces = file.source()
        async for piece in _exactly(pieces, file):
            yield piece
        return
    try:
        async with client.stream("GET", str(file.url)) as answer:  # InputFile holds a URL when it has no source
            if answer.status != 200:
                raise ServiceRefusedError(f"the input file {file.name} could not be read: HTTP {answer.status}")
            announced = answer.headers.get("content-length")
            if announced is not None and announced != str(file.size):
                raise ServiceRefusedError(
                    f"the input file {file.name} has {announced} bytes at its URL, not the {file.size} expected"
                )
            async for piece in _exactly(answer.chunks(), file):
                yield piece
    except OutboundError as error:
        raise ServiceRefusedError(f"the input file {file.name} could not be read ({error.kind})") from error


async def _exactly(pieces: AsyncIterator[bytes], file: InputFile) -> AsyncIterator[bytes]:
    sent = 0
    async for piece in pieces:
        sent += len(piece)
        if sent > file.size:
            raise ServiceRefusedError(f"the input file {file.name} is longer than its {file.size} bytes")
        yield piece
    if sent != file.size:
        raise ServiceRefusedError(f"the input file {file.name} ended after {sent} of its {file.size} bytes")

"""HTTP/1.1 as the outbound client reads and writes it, from memory: every size bounded, every
malformed answer a short failure rather than an exception from deep inside."""

import asyncio

import pytest

from fip_core.outbound.client import OutboundClient
from fip_core.outbound.policy import (
    BadUrlError,
    ConnectionLostError,
    NotHttpError,
    OutboundPolicy,
    TooLargeError,
)
from tests.support.outbound import CannedConnector, answer

SERVER = "93.184.215.14"


def fetch(raw: bytes, *, limit=1024, method="GET", headers=None):
    client = OutboundClient(OutboundPolicy(require_https=False), connector=CannedConnector({SERVER: raw}))
    return asyncio.run(client.request(method, f"http://{SERVER}/x", max_body_bytes=limit, headers=headers))


def test_a_body_with_a_length():
    response = fetch(answer(200, b'{"name": "x"}', {"Content-Type": "application/json"}))
    assert (response.status, response.body) == (200, b'{"name": "x"}')
    assert response.headers["content-type"] == "application/json"


def test_a_chunked_body_with_extensions_and_trailers():
    raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-T: 1\r\n\r\n"
    assert fetch(raw).body == b"Wikipedia"


def test_a_body_that_ends_with_the_connection():
    assert fetch(b"HTTP/1.0 200 OK\r\n\r\nuntil the end").body == b"until the end"


def test_informational_answers_are_skipped():
    assert fetch(b"HTTP/1.1 100 Continue\r\n\r\n" + answer(201, b"made")).status == 201


def test_no_body_for_204_and_head():
    assert fetch(b"HTTP/1.1 204 No Content\r\n\r\n").body == b""
    assert fetch(answer(200, b"ignored"), method="HEAD").body == b""


@pytest.mark.parametrize(
    "raw",
    [
        answer(200, b"x" * 2000),  # announced
        b"HTTP/1.1 200 OK\r\n\r\n" + b"x" * 2000,  # until the connection closes
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"200\r\n" + b"x" * 512 + b"\r\n" * 1 + b"400\r\n",
    ],
)
def test_a_body_over_the_limit_is_too_large(raw):
    with pytest.raises(TooLargeError):
        fetch(raw)


@pytest.mark.parametrize(
    "raw",
    [
        b"SSH-2.0-OpenSSH_9.6\r\n\r\n",
        b"HTTP/2 200\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nbad header\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\nabc",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x3\r\nabc\r\n",
        b"HTTP/1.1 200 OK\r\n" + b"X-Long: " + b"a" * 70000 + b"\r\n\r\n",
    ],
)
def test_what_is_not_http_is_said_so(raw):
    with pytest.raises(NotHttpError):
        fetch(raw)


@pytest.mark.parametrize("raw", [b"", b"HTTP/1.1 200 OK\r\nContent-Le", answer(200, b"abc")[:-1]])
def test_a_connection_closed_early_is_lost(raw):
    with pytest.raises(ConnectionLostError):
        fetch(raw)


@pytest.mark.parametrize("headers", [{"X-Token": "a\r\nX-Injected: 1"}, {"Bad Name": "x"}, {"X-Null": "a\x00b"}])
def test_a_header_that_would_break_the_request_is_refused(headers):
    with pytest.raises(BadUrlError):
        fetch(answer(200), headers=headers)

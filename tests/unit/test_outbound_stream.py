"""The outbound client's streams, from memory: an answer's body handed over in pieces as it arrives
(never more than a piece at a time), a request body streamed with its length announced, redirects
checked hop by hop like any other call."""

import asyncio

import pytest

from fip_core.outbound.client import OutboundClient, StreamedBody
from fip_core.outbound.http1 import STREAM_PIECE
from fip_core.outbound.policy import BlockedAddressError, ConnectionLostError, OutboundPolicy
from tests.support.outbound import CannedConnector, TableResolver, answer

SERVER, OTHER = "93.184.215.14", "93.184.215.15"


def client(answers, resolver=None):
    connector = CannedConnector(answers)
    policy = OutboundPolicy(require_https=False, resolver=resolver) if resolver else OutboundPolicy(require_https=False)
    return OutboundClient(policy, connector=connector), connector


async def pieces_of(outbound, method="GET", url=f"http://{SERVER}/file", body=None):
    async with outbound.stream(method, url, body=body) as opened:
        return opened.status, [piece async for piece in opened.chunks()]


@pytest.mark.parametrize(
    "raw",
    [
        answer(200, b"x" * (3 * STREAM_PIECE + 5)),
        b"HTTP/1.1 200 OK\r\n\r\n" + b"x" * (3 * STREAM_PIECE + 5),
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + f"{3 * STREAM_PIECE + 5:x}\r\n".encode()
        + b"x" * (3 * STREAM_PIECE + 5)
        + b"\r\n0\r\n\r\n",
    ],
    ids=["length", "until-close", "one-huge-chunk"],
)
def test_a_large_body_arrives_in_pieces_of_bounded_size(raw):
    outbound, _ = client({SERVER: raw})
    status, pieces = asyncio.run(pieces_of(outbound))
    assert status == 200
    assert b"".join(pieces) == b"x" * (3 * STREAM_PIECE + 5)
    assert len(pieces) >= 4
    assert max(map(len, pieces)) <= STREAM_PIECE


def test_a_body_cut_short_is_a_lost_connection_not_a_short_file():
    outbound, _ = client({SERVER: answer(200, b"x" * 100)[:-10]})
    with pytest.raises(ConnectionLostError):
        asyncio.run(pieces_of(outbound))


def test_a_streamed_request_body_goes_out_with_its_length():
    async def parts():
        yield b"hello, "
        yield b"world"

    outbound, connector = client({SERVER: answer(201, b"{}")})
    status, _ = asyncio.run(pieces_of(outbound, "POST", body=StreamedBody(12, parts())))
    sent = bytes(connector.writers[0].sent)
    assert status == 201
    assert b"\r\nContent-Length: 12\r\n" in sent
    assert sent.endswith(b"\r\n\r\nhello, world")
    assert connector.writers[0].closed


@pytest.mark.parametrize("length", [11, 13])
def test_a_streamed_body_that_is_not_its_announced_length_is_not_passed_off_as_whole(length):
    async def parts():
        yield b"hello, world"

    outbound, _ = client({SERVER: answer(201)})
    with pytest.raises(ValueError, match="announced"):
        asyncio.run(pieces_of(outbound, "POST", body=StreamedBody(length, parts())))


def test_a_redirect_is_followed_and_each_hop_checked():
    resolver = TableResolver({"results.example.org": [OTHER], "inside.example.org": ["10.0.0.5"]})
    hop = answer(302, b"", {"Location": "http://results.example.org/file"})
    outbound, connector = client({SERVER: hop, OTHER: answer(200, b"the file")}, resolver)
    assert asyncio.run(pieces_of(outbound)) == (200, [b"the file"])
    assert [connection[0] for connection in connector.connections] == [[SERVER], [OTHER]]

    inward = answer(302, b"", {"Location": "http://inside.example.org/file"})
    outbound, connector = client({SERVER: inward}, resolver)
    with pytest.raises(BlockedAddressError):
        asyncio.run(pieces_of(outbound))
    assert len(connector.connections) == 1  # the private address was never connected to


class RefusingConnector(CannedConnector):
    """A server that answers at once and closes while the body is still being sent."""

    async def connect(self, addresses, port, tls, server_hostname):
        reader, writer = await super().connect(addresses, port, tls, server_hostname)

        def write(data, sent=writer.sent):
            if sent:  # the head went out; the body meets a closed connection
                raise BrokenPipeError("closed by the server")
            sent += data

        writer.write = write
        return reader, writer


async def endless():
    while True:
        yield b"x" * 1000


def test_an_answer_sent_before_the_body_was_taken_is_still_read():
    outbound = OutboundClient(OutboundPolicy(require_https=False), connector=RefusingConnector({SERVER: answer(401)}))
    status, _ = asyncio.run(pieces_of(outbound, "POST", body=StreamedBody(10**9, endless())))
    assert status == 401


def test_a_connection_closed_mid_body_without_an_answer_is_lost():
    outbound = OutboundClient(OutboundPolicy(require_https=False), connector=RefusingConnector({SERVER: b""}))
    with pytest.raises(ConnectionLostError, match="while sending"):
        asyncio.run(pieces_of(outbound, "POST", body=StreamedBody(10**9, endless())))

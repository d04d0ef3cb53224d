"""The outbound policy against a real listener on loopback: every spelling of a loopback address
is refused and the listener sees no connection; allowed, the same call does reach it."""

import asyncio
import socket

import pytest

from fip_core.outbound.addresses import ip_literal
from fip_core.outbound.client import OutboundClient
from fip_core.outbound.policy import BlockedAddressError, ConnectionLostError, OutboundPolicy, SystemResolver
from tests.support.listener import LoopbackListener

LOOPBACK_SPELLINGS = (
    "127.0.0.1", "localhost", "LOCALHOST", "localhost.", "0.0.0.0", "0", "127.1", "127.0.1", "127.0.0.1.",
    "2130706433", "0x7f000001", "0x7f.1", "0177.0.0.1", "017700000001", "127.255.255.254",
    "[::1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[0:0:0:0:0:ffff:7f00:1]", "[::127.0.0.1]",
    "[64:ff9b::7f00:1]", "[::]",
)  # fmt: skip


@pytest.fixture
def listener():
    with LoopbackListener() as listening:
        yield listening


def call(policy, url):
    return asyncio.run(OutboundClient(policy).get(url, max_body_bytes=1024, timeout_seconds=10))


def test_the_listener_sees_a_call_that_is_allowed(listener):
    # the witness works: allowed, a call reaches it (and is hung up on)
    with pytest.raises(ConnectionLostError):
        call(OutboundPolicy(allow_private_networks=True, require_https=False), f"http://127.0.0.1:{listener.port}/")
    assert listener.connections() == 1


@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS)
def test_every_spelling_of_loopback_is_refused_without_a_connection(listener, host):
    with pytest.raises(BlockedAddressError):
        call(OutboundPolicy(require_https=False), f"http://{host}:{listener.port}/service-info")
    with pytest.raises(BlockedAddressError):
        call(OutboundPolicy(require_https=True), f"https://{host}:{listener.port}/service-info")
    assert listener.connections() == 0


def test_the_system_resolver_gives_every_address_of_a_name():
    addresses = asyncio.run(SystemResolver().resolve("localhost", 80))  # from the hosts file, no DNS query
    assert addresses
    assert all(address.is_loopback for address in addresses)
    assert len(set(addresses)) == len(addresses)


@pytest.mark.parametrize("host", ["2130706433", "0x7f000001", "0177.0.0.1", "127.1"])
def test_the_spellings_read_as_literals_are_the_addresses_the_system_would_connect_to(host):
    # what the policy reads must agree with what getaddrinfo (inet_aton) makes of the same text
    [(_, _, _, _, sockaddr)] = socket.getaddrinfo(host, 80, socket.AF_INET, socket.SOCK_STREAM)
    assert str(ip_literal(host)) == sockaddr[0]

"""Which addresses outbound calls may reach, judged on address literals alone: nothing here
connects or resolves anything."""

from ipaddress import ip_address

import pytest

from fip_core.outbound.addresses import blocked_reason, ip_literal


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("0.0.0.0", "unspecified"),
        ("0.1.2.3", "unspecified"),
        ("10.0.0.1", "private (RFC 1918)"),
        ("10.255.255.255", "private (RFC 1918)"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("100.127.255.254", "carrier-grade NAT"),
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("169.254.169.254", "link-local"),  # the cloud's instance metadata service
        ("172.16.0.1", "private (RFC 1918)"),
        ("172.31.255.254", "private (RFC 1918)"),
        ("192.0.0.8", "IETF protocol assignment"),
        ("192.0.2.10", "documentation"),
        ("192.88.99.1", "6to4 relay"),
        ("192.168.1.1", "private (RFC 1918)"),
        ("198.18.0.1", "benchmarking"),
        ("198.51.100.7", "documentation"),
        ("203.0.113.9", "documentation"),
        ("224.0.0.251", "multicast"),
        ("239.255.255.250", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("::", "unspecified"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback address in IPv6 form"),
        ("::ffff:10.1.2.3", "private (RFC 1918) address in IPv6 form"),
        ("::ffff:169.254.169.254", "link-local address in IPv6 form"),
        ("::127.0.0.1", "IPv4-compatible"),
        ("::8.8.8.8", "IPv4-compatible"),
        ("64:ff9b::7f00:1", "loopback address in IPv6 form"),  # NAT64 of 127.0.0.1
        ("64:ff9b::a9fe:a9fe", "link-local address in IPv6 form"),  # NAT64 of 169.254.169.254
        ("64:ff9b:1::1", "local-use NAT64"),
        ("2002:7f00:1::1", "loopback address in IPv6 form"),  # 6to4 of 127.0.0.1
        ("2002:c0a8:101::1", "private (RFC 1918) address in IPv6 form"),  # 6to4 of 192.168.1.1
        ("100::1", "discard-only"),
        ("2001::1", "IETF protocol assignment"),  # Teredo
        ("2001:db8::1", "documentation"),
        ("3fff::1", "documentation"),
        ("fc00::1", "unique-local"),
        ("fd12:3456:789a::1", "unique-local"),
        ("fe80::1", "link-local"),
        ("febf:ffff::1", "link-local"),
        ("fec0::1", "site-local"),
        ("ff02::1", "multicast"),
        ("4000::1", "outside the global unicast range"),
    ],
)
def test_addresses_that_are_not_globally_routable_are_blocked_with_a_reason(address, reason):
    found = blocked_reason(ip_address(address))
    assert found is not None, address
    assert reason in found


@pytest.mark.parametrize(
    "address",
    [
        "1.1.1.1",
        "8.8.4.4",
        "100.63.255.255",  # just below carrier-grade NAT
        "100.128.0.0",  # just above it
        "172.15.255.255",  # just below 172.16/12
        "172.32.0.0",  # just above it
        "192.169.0.1",
        "223.255.255.254",  # the last unicast address before multicast
        "2606:4700:4700::1111",
        "2a00:1450:4001::1",
        "::ffff:1.1.1.1",
        "64:ff9b::101:101",  # NAT64 of 1.1.1.1
        "2002:101:101::1",  # 6to4 of 1.1.1.1
    ],
)
def test_globally_routable_addresses_pass(address):
    assert blocked_reason(ip_address(address)) is None


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0X7F000001", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("0x", "0.0.0.0"),
        ("0.0.0.0", "0.0.0.0"),
        ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254"),
        ("::1", "::1"),
        ("[::1]", "::1"),
        ("[::ffff:127.0.0.1]", "::ffff:7f00:1"),
        ("0:0:0:0:0:ffff:7f00:1", "::ffff:7f00:1"),
        ("fe80::1%eth0", "fe80::1"),
    ],
)
def test_every_spelling_of_an_address_is_read_as_that_address(host, address):
    assert ip_literal(host) == ip_address(address)


@pytest.mark.parametrize(
    "host",
    ["localhost", "impute.afrigen-d.org", "127.0.0.1.example.org", "1.2.3.4.5", "256.1.1.1", "08.1.1.1", "1_0.0.0.1",
     "\u0661\u0662\u0667.0.0.1", " 127.0.0.1", "[not-an-address]", "4294967296"],
)  # fmt: skip
def test_names_and_malformed_numbers_are_not_addresses(host):
    assert ip_literal(host) is None

"""Which IP addresses an outbound call may reach: globally routable unicast only.

The tables follow IANA's IPv4 and IPv6 special-purpose address registries (RFC 6890 and its
updates). Forms of IPv6 that carry an IPv4 address (IPv4-mapped, NAT64, 6to4) are judged by the
IPv4 address they carry, so `::ffff:127.0.0.1` is as much loopback as `127.0.0.1`.
"""

from __future__ import annotations

import re
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

IPAddress = IPv4Address | IPv6Address

_IPV4_BLOCKED: tuple[tuple[IPv4Network, str], ...] = tuple(
    (IPv4Network(network), reason)
    for network, reason in (
        ("0.0.0.0/8", "an unspecified ('this network') address"),
        ("10.0.0.0/8", "a private (RFC 1918) address"),
        ("100.64.0.0/10", "a carrier-grade NAT (RFC 6598) address"),
        ("127.0.0.0/8", "a loopback address"),
        ("169.254.0.0/16", "a link-local address"),
        ("172.16.0.0/12", "a private (RFC 1918) address"),
        ("192.0.0.0/24", "an IETF protocol assignment"),
        ("192.0.2.0/24", "a documentation address"),
        ("192.88.99.0/24", "a deprecated 6to4 relay address"),
        ("192.168.0.0/16", "a private (RFC 1918) address"),
        ("198.18.0.0/15", "a benchmarking address"),
        ("198.51.100.0/24", "a documentation address"),
        ("203.0.113.0/24", "a documentation address"),
        ("224.0.0.0/4", "a multicast address"),
        ("240.0.0.0/4", "a reserved address"),  # 255.255.255.255, the broadcast address, among them
    )
)

_NAT64 = IPv6Network("64:ff9b::/96")  # the well-known prefix: the last 32 bits are the IPv4 address
_IPV6_BLOCKED: tuple[tuple[IPv6Network, str], ...] = tuple(
    (IPv6Network(network), reason)
    for network, reason in (
        ("::/128", "an unspecified address"),
        ("::1/128", "a loopback address"),
        ("::/96", "a deprecated IPv4-compatible address"),
        ("64:ff9b:1::/48", "a local-use NAT64 address"),
        ("100::/64", "a discard-only address"),
        ("2001::/23", "an IETF protocol assignment (Teredo among them)"),
        ("2001:db8::/32", "a documentation address"),
        ("3fff::/20", "a documentation address"),
        ("5f00::/16", "a segment-routing address"),
        ("fc00::/7", "a unique-local address"),
        ("fe80::/10", "a link-local address"),
        ("fec0::/10", "a deprecated site-local address"),
        ("ff00::/8", "a multicast address"),
    )
)
_GLOBAL_UNICAST = IPv6Network("2000::/3")
_HEX = re.compile(r"0[xX][0-9a-fA-F]*")
_OCTAL = re.compile(r"0[0-7]+")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_NUMERIC = re.compile(r"[0-9a-fA-FxX.]+")


def blocked_reason(address: IPAddress) -> str | None:
    """Why an outbound call must not reach this address, or None when it is globally routable."""
    if isinstance(address, IPv4Address):
        return next((reason for network, reason in _IPV4_BLOCKED if address in network), None)
    carried = _carried_ipv4(address)
    if carried is not None:
        reason = blocked_reason(carried)
        return None if reason is None else f"{reason} in IPv6 form"
    reason = next((reason for network, reason in _IPV6_BLOCKED if address in network), None)
    if reason is None and address not in _GLOBAL_UNICAST:
        reason = "outside the global unicast range 2000::/3"
    return reason


def _carried_ipv4(address: IPv6Address) -> IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour  # 2002::/16 carries the IPv4 address in bits 16-48


def ip_literal(host: str) -> IPAddress | None:
    """The address a URL's host names literally, in any spelling a resolver would accept; None for a
    host name.

    Besides dotted-quad IPv4 and IPv6 (with or without brackets), resolvers (inet_aton) and
    browsers (the WHATWG URL standard) accept `127.1`, `2130706433`, `0x7f000001`, `0177.0.0.1`
    and a trailing dot: all are read here, so none of them needs a lookup or slips past the check.
    """
    text = host.removeprefix("[").removesuffix("]")
    if ":" in text:
        try:
            return IPv6Address(text.split("%", 1)[0])  # the zone of a link-local address is not the address
        except ValueError:
            return None
    text = text.removesuffix(".")
    try:
        return IPv4Address(text)  # the usual spelling, and the quickest to read
    except ValueError:
        return _ipv4_numbers(text) if _NUMERIC.fullmatch(text) else None


def _ipv4_numbers(text: str) -> IPv4Address | None:
    parts = text.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers = []
    for part in parts:
        number = _ipv4_number(part)
        if number is None:
            return None
        numbers.append(number)
    *leading, last = numbers
    if any(n > 255 for n in leading) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for index, number in enumerate(leading):
        value += number << (8 * (3 - index))
    return IPv4Address(value)


def _ipv4_number(part: str) -> int | None:
    # only the three spellings inet_aton reads; int() alone would also take '_', spaces and non-ASCII digits
    if _HEX.fullmatch(part):
        return int(part[2:] or "0", 16)
    if _OCTAL.fullmatch(part):
        return int(part, 8)
    if _DECIMAL.fullmatch(part):
        return int(part, 10)
    return None

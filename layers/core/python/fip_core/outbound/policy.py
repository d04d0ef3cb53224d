"""The outbound policy: which URLs and addresses a call to a registered service may reach, the
settings that relax it for local use, and the errors that say why a call failed in a few words.

`FIP_ALLOW_PRIVATE_NETWORKS` (default false) lets calls reach loopback and private addresses: the
local platform and the tests that run services on loopback set it; the CDK app sets it false.
`FIP_REQUIRE_HTTPS` (default true) refuses plain `http://`; the local platform sets it false.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from fip_core.container import per_container
from fip_core.outbound.addresses import IPAddress, blocked_reason, ip_literal


class OutboundSettings(BaseSettings):
    """How far outbound calls may reach; variables prefixed `FIP_`."""

    model_config = SettingsConfigDict(env_prefix="FIP_", extra="ignore", frozen=True)

    allow_private_networks: bool = Field(
        default=False,
        description="Let calls reach loopback, private, link-local and other addresses that are not globally "
        "routable. For local use only.",
    )
    require_https: bool = Field(default=True, description="Refuse plain http:// URLs, on every redirect hop too.")


@per_container
def outbound_settings() -> OutboundSettings:
    """The outbound settings of this container, read once."""
    return OutboundSettings()


class OutboundError(Exception):
    """An outbound call that failed; `kind` says how in a few fixed words, the message says what
    happened in detail (for logs: it may carry the far side's own words)."""

    kind: ClassVar[str] = "failed"


class BadUrlError(OutboundError):
    """The URL cannot be called: no host, a bad port, a scheme other than http or https."""

    kind = "bad URL"


class InsecureSchemeError(OutboundError):
    """A plain http:// URL while HTTPS is required."""

    kind = "not HTTPS"


class BlockedAddressError(OutboundError):
    """The host is, or resolves to, an address that is not globally routable."""

    kind = "blocked address"


class NameNotResolvedError(OutboundError):
    """The host name has no address."""

    kind = "DNS"


class RefusedError(OutboundError):
    """Nothing listens at the address and port."""

    kind = "refused"


class UnreachableError(OutboundError):
    """The address cannot be reached (no route, network down, reset while connecting)."""

    kind = "unreachable"


class TlsError(OutboundError):
    """The TLS handshake failed, e.g. a certificate that is not trusted or names another host."""

    kind = "TLS"


class TimedOutError(OutboundError):
    """No complete answer in time."""

    kind = "timed out"


class ConnectionLostError(OutboundError):
    """The far side closed or reset the connection before answering completely."""

    kind = "connection lost"


class NotHttpError(OutboundError):
    """The far side answered something that is not HTTP/1.x."""

    kind = "not HTTP"


class TooManyRedirectsError(OutboundError):
    """More redirects than the call allows."""

    kind = "too many redirects"


class TooLargeError(OutboundError):
    """The answer's body is larger than the call accepts."""

    kind = "too large"


class Resolver(Protocol):
    """Turns a host name into the addresses it has."""

    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Every address of the host, in the resolver's order; NameNotResolvedError when there is none."""
        ...


class SystemResolver:
    """The operating system's resolver (getaddrinfo, in asyncio's thread pool)."""

    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Every address getaddrinfo gives for the host, duplicates removed."""
        try:
            answers = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as error:
            raise NameNotResolvedError(f"{host} does not resolve: {error}") from error
        addresses: list[IPAddress] = []
        for _family, _type, _proto, _name, sockaddr in answers:
            address = ip_literal(str(sockaddr[0]))
            if address is not None and address not in addresses:
                addresses.append(address)
        if not addresses:
            raise NameNotResolvedError(f"{host} has no IP address")
        return addresses


@dataclass(frozen=True)
class OutboundPolicy:
    """What an outbound call may reach, and how host names are resolved."""

    allow_private_networks: bool = False
    require_https: bool = True
    resolver: Resolver = field(default_factory=SystemResolver)

    @classmethod
    def from_settings(cls, settings: OutboundSettings) -> OutboundPolicy:
        """The policy the settings describe, resolving with the system's resolver."""
        return cls(allow_private_networks=settings.allow_private_networks, require_https=settings.require_https)

    def check_scheme(self, scheme: str, url: str) -> None:
        """Refuse a URL whose scheme the policy does not allow."""
        if scheme not in ("http", "https"):
            raise BadUrlError(f"{url}: only http and https URLs can be called")
        if scheme == "http" and self.require_https:
            raise InsecureSchemeError(f"{url}: plain HTTP is refused here; use https://")

    async def addresses(self, host: str, port: int) -> list[IPAddress]:
        """The addresses a call to this host may connect to: the literal address, or every address
        the name resolves to, each checked. A name with one blocked address is refused altogether,
        so that a lookup that changes between two calls cannot slip a private address in."""
        literal = ip_literal(host)
        if literal is None and not self.allow_private_networks and _loopback_name(host):
            raise BlockedAddressError(f"refused to connect to {host}: a loopback name (RFC 6761), not looked up")
        addresses = [literal] if literal is not None else await self.resolver.resolve(host, port)
        if not self.allow_private_networks:
            for address in addresses:
                reason = blocked_reason(address)
                if reason is not None:
                    named = host if literal is not None else f"{host} ({address})"
                    raise BlockedAddressError(
                        f"refused to connect to {named}: {reason}; calls go to globally routable addresses only"
                    )
        return addresses


def _loopback_name(host: str) -> bool:
    name = host.lower().rstrip(".")
    return name == "localhost" or name.endswith(".localhost")


# every way an outbound call fails, in the words `OutboundError.kind` uses: callers may document them
OUTBOUND_FAILURES: tuple[str, ...] = tuple(
    error.kind
    for error in (
        BadUrlError,
        InsecureSchemeError,
        BlockedAddressError,
        NameNotResolvedError,
        RefusedError,
        UnreachableError,
        TlsError,
        TimedOutError,
        ConnectionLostError,
        NotHttpError,
        TooManyRedirectsError,
        TooLargeError,
    )
)

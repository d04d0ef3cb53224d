"""The outbound policy applied where connections are opened: names resolved once, every address
checked, the checked address connected to, every redirect hop checked again. A resolver and a
connector from memory stand in for DNS and the network: nothing here sends a packet."""

import asyncio

import pytest

from fip_core.outbound.client import OutboundClient
from fip_core.outbound.policy import (
    BadUrlError,
    BlockedAddressError,
    InsecureSchemeError,
    NameNotResolvedError,
    OutboundPolicy,
    TooManyRedirectsError,
)
from tests.support.outbound import CannedConnector, TableResolver, answer

PUBLIC = "93.184.215.14"
NAMES = {
    "impute.example.org": [PUBLIC],
    "wes.example.org": ["2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    "rfc1918.example.org": ["10.1.2.3"],
    "office.example.org": ["172.20.0.5"],
    "home.example.org": ["192.168.0.10"],
    "metadata.example.org": ["169.254.169.254"],
    "cgnat.example.org": ["100.100.100.200"],
    "ula.example.org": ["fd00:ec2::254"],
    "linklocal6.example.org": ["fe80::a9fe:a9fe"],
    "multicast.example.org": ["224.0.0.1"],
    "mapped.example.org": ["::ffff:10.0.0.1"],
    "rebinding.example.org": [PUBLIC, "127.0.0.1"],
    "loopback.example.org": ["127.0.0.1"],
}


def client(connector, *, allow_private=False, require_https=False, resolver=None):
    policy = OutboundPolicy(
        allow_private_networks=allow_private, require_https=require_https, resolver=resolver or TableResolver(NAMES)
    )
    return OutboundClient(policy, connector=connector)


def get(outbound_client, url):
    return asyncio.run(outbound_client.get(url, max_body_bytes=65536))


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("rfc1918.example.org", "private (RFC 1918)"),
        ("office.example.org", "private (RFC 1918)"),
        ("home.example.org", "private (RFC 1918)"),
        ("metadata.example.org", "link-local"),
        ("cgnat.example.org", "carrier-grade NAT"),
        ("ula.example.org", "unique-local"),
        ("linklocal6.example.org", "link-local"),
        ("multicast.example.org", "multicast"),
        ("mapped.example.org", "private (RFC 1918) address in IPv6 form"),
        ("rebinding.example.org", "loopback"),  # one bad address among good ones refuses the name
    ],
)
def test_a_name_that_resolves_inside_is_refused_before_connecting(host, reason):
    connector = CannedConnector()
    with pytest.raises(BlockedAddressError) as refused:
        get(client(connector), f"https://{host}/service-info")
    assert host in str(refused.value)
    assert reason in str(refused.value)
    assert refused.value.kind == "blocked address"
    assert connector.connections == []


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/", "http://127.1/", "http://2130706433/", "http://0x7f000001/", "http://0177.0.0.1/",
     "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/", "http://169.254.169.254/latest/meta-data/",
     "http://[fd00:ec2::254]/", "http://10.0.0.1:8080/"],
)  # fmt: skip
def test_an_address_literal_inside_is_refused_without_a_lookup(url):
    resolver, connector = TableResolver(NAMES), CannedConnector()
    with pytest.raises(BlockedAddressError):
        get(client(connector, resolver=resolver), url)
    assert resolver.asked == []
    assert connector.connections == []


@pytest.mark.parametrize("host", ["localhost", "LocalHost.", "api.localhost"])
def test_loopback_names_are_refused_without_a_lookup(host):
    resolver, connector = TableResolver(NAMES), CannedConnector()
    with pytest.raises(BlockedAddressError, match="loopback name"):
        get(client(connector, resolver=resolver), f"https://{host}/")
    assert (resolver.asked, connector.connections) == ([], [])


def test_the_connection_goes_to_the_address_that_was_checked_and_tls_to_the_name():
    resolver, connector = TableResolver(NAMES), CannedConnector({PUBLIC: answer(200, b'{"ok": true}')})
    response = get(client(connector, resolver=resolver), "https://impute.example.org:8443/api/v2/server")
    assert response.status == 200
    assert response.body == b'{"ok": true}'
    assert resolver.asked == ["impute.example.org"]  # resolved once
    assert connector.connections == [([PUBLIC], 8443, True, "impute.example.org")]
    request = bytes(connector.writers[0].sent)
    assert request.startswith(b"GET /api/v2/server HTTP/1.1\r\n")
    assert b"\r\nHost: impute.example.org:8443\r\n" in request


def test_a_public_literal_needs_no_lookup():
    resolver, connector = TableResolver({}), CannedConnector({PUBLIC: answer(204, b"")})
    assert get(client(connector, resolver=resolver), f"http://{PUBLIC}/").status == 204
    assert resolver.asked == []


def test_private_networks_may_be_allowed_for_local_use():
    connector = CannedConnector({"10.1.2.3": answer(200)})
    assert get(client(connector, allow_private=True), "http://rfc1918.example.org/").status == 200
    assert connector.connections[0][0] == ["10.1.2.3"]


def test_plain_http_is_refused_when_https_is_required():
    resolver, connector = TableResolver(NAMES), CannedConnector()
    with pytest.raises(InsecureSchemeError) as refused:
        get(client(connector, require_https=True, resolver=resolver), "http://impute.example.org/")
    assert refused.value.kind == "not HTTPS"
    assert (resolver.asked, connector.connections) == ([], [])


@pytest.mark.parametrize(
    "url", ["ftp://impute.example.org/", "file:///etc/passwd", "http:///no-host", "http://x:99999/"]
)
def test_what_cannot_be_called_is_a_bad_url(url):
    with pytest.raises(BadUrlError):
        get(client(CannedConnector()), url)


def test_every_redirect_hop_is_checked_again():
    connector = CannedConnector({PUBLIC: answer(302, b"", {"Location": "http://169.254.169.254/latest/meta-data/"})})
    with pytest.raises(BlockedAddressError, match=r"169\.254\.169\.254"):
        get(client(connector), "http://impute.example.org/api/v2/server")
    assert len(connector.connections) == 1  # the first hop only


def test_a_redirect_to_plain_http_is_refused_when_https_is_required():
    connector = CannedConnector({PUBLIC: answer(301, b"", {"Location": "http://impute.example.org/"})})
    with pytest.raises(InsecureSchemeError):
        get(client(connector, require_https=True), "https://impute.example.org/")


def test_redirects_are_followed_a_few_times_only():
    connector = CannedConnector({PUBLIC: answer(307, b"", {"Location": "/again"})})
    with pytest.raises(TooManyRedirectsError):
        get(client(connector), "https://impute.example.org/")
    assert len(connector.connections) == 4  # the request and three redirects


def test_a_name_without_addresses_is_a_dns_failure():
    with pytest.raises(NameNotResolvedError) as failed:
        get(client(CannedConnector()), "https://gone.example.org/")
    assert failed.value.kind == "DNS"

"""Probes over TLS, as every real imputation service is reached: a trusted certificate is healthy,
an untrusted one is a clear failure."""

import asyncio
from ipaddress import ip_address

import pytest

from fip_core.outbound.policy import OutboundPolicy
from registry.models.common import ApiType, HealthStatus
from registry.probes.service import HttpProber
from tests.support.certificates import make_certificates
from tests.support.simulated_services import SimulatedServicesThread

LOOPBACK = OutboundPolicy(allow_private_networks=True, require_https=True)


@pytest.fixture(scope="module")
def tls_services():
    certificates = make_certificates()
    thread = SimulatedServicesThread(tls=certificates.server_context())
    services = thread.start()
    yield services, certificates
    thread.stop()


def probe(url, api_type, ssl_context):
    return asyncio.run(HttpProber(LOOPBACK, tls=ssl_context).probe(ApiType(api_type), url))


def test_a_service_with_a_trusted_certificate_is_healthy(tls_services):
    services, certificates = tls_services
    outcome = probe(services.url("cloudgene", 1), "michigan", certificates.client_context())
    assert outcome.status is HealthStatus.HEALTHY, outcome.error
    assert outcome.checked_url.startswith("https://127.0.0.1:")
    wes = probe(services.url("wes", 1), "ga4gh_wes", certificates.client_context())
    assert wes.status is HealthStatus.HEALTHY, wes.error


def test_an_untrusted_certificate_is_unhealthy_and_says_why(tls_services):
    services, _ = tls_services
    outcome = probe(services.url("cloudgene", 2), "michigan", None)  # the default trust store
    assert outcome.status is HealthStatus.UNHEALTHY
    assert outcome.error == "TLS"


class NamesOnLoopback:
    """A resolver that gives every name the loopback address, as a DNS record could."""

    async def resolve(self, host, port):
        return [ip_address("127.0.0.1")]


def test_tls_verifies_the_url_host_while_connecting_to_the_checked_address(tls_services):
    services, certificates = tls_services
    policy = OutboundPolicy(allow_private_networks=True, require_https=True, resolver=NamesOnLoopback())

    def probe_as(host):
        url = services.url("cloudgene", 3).replace("127.0.0.1", host)
        return asyncio.run(HttpProber(policy, tls=certificates.client_context()).probe(ApiType.MICHIGAN, url))

    assert probe_as("localhost").status is HealthStatus.HEALTHY  # the certificate names localhost
    impostor = probe_as("imputation.example.org")  # same address, a name the certificate does not carry
    assert impostor.status is HealthStatus.UNHEALTHY
    assert impostor.error == "TLS"

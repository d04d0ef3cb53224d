"""Probes over TLS, as every real imputation service is reached: a trusted certificate is healthy,
an untrusted one is a clear failure."""

import asyncio

import httpx
import pytest

from registry.models.common import HealthStatus
from registry.probes.service import probe_service
from registry.probes.transport import SingleUseConnectionTransport
from tests.support.certificates import make_certificates
from tests.support.simulated_services import SimulatedServicesThread


@pytest.fixture(scope="module")
def tls_services():
    certificates = make_certificates()
    thread = SimulatedServicesThread(tls=certificates.server_context())
    services = thread.start()
    yield services, certificates
    thread.stop()


def probe(url, api_type, ssl_context):
    async def run():
        transport = SingleUseConnectionTransport(ssl_context=ssl_context)
        async with httpx.AsyncClient(transport=transport, timeout=5) as client:
            return await probe_service(client, api_type, url, 5)

    return asyncio.run(run())


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
    assert "could not connect" in outcome.error
    assert "CERTIFICATE_VERIFY_FAILED" in outcome.error

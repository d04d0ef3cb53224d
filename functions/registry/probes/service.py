"""The prober: probing a service of either API type through the outbound policy. Registry logic
receives it through its `Prober` port (and bounds each probe's time)."""

from __future__ import annotations

import ssl

from fip_core.container import per_container
from fip_core.outbound.client import OutboundClient
from fip_core.outbound.policy import OutboundPolicy, outbound_settings
from registry.models.common import ApiType
from registry.models.health import ProbeOutcome
from registry.probes.cloudgene import probe_cloudgene
from registry.probes.wes import probe_wes

USER_AGENT = "federated-imputation-platform/0.1 (health check)"


class HttpProber:
    """Probes services over HTTP(S), each connection opened under the outbound policy."""

    def __init__(self, policy: OutboundPolicy, tls: ssl.SSLContext | None = None) -> None:
        self._client = OutboundClient(policy, tls=tls, user_agent=USER_AGENT)

    async def probe(self, api_type: ApiType, base_url: str) -> ProbeOutcome:
        """What the service says about itself, or the short reason it says nothing usable."""
        if api_type is ApiType.MICHIGAN:
            return await probe_cloudgene(self._client, base_url)
        return await probe_wes(self._client, base_url)


@per_container
def http_prober() -> HttpProber:
    """The prober the outbound settings describe, made once per container."""
    return HttpProber(OutboundPolicy.from_settings(outbound_settings()))

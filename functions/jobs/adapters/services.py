"""Which adapter reaches a service: picked by the registry's `api_type`, over one outbound client made
once per container (and so under the outbound policy)."""

from __future__ import annotations

from typing import Any

from fip_core.container import per_container
from fip_core.outbound.client import OutboundClient
from fip_core.outbound.policy import OutboundPolicy, outbound_settings
from jobs.adapters.base import ImputationServiceAdapter, ServiceRefusedError
from jobs.adapters.cloudgene import CloudgeneAdapter

USER_AGENT = "federated-imputation-platform/0.1 (jobs)"


@per_container
def outbound_client() -> OutboundClient:
    """The client every job adapter calls through, under the outbound settings' policy."""
    return OutboundClient(OutboundPolicy.from_settings(outbound_settings()), user_agent=USER_AGENT)


def connect(service: dict[str, Any]) -> ImputationServiceAdapter:
    """The adapter of a service as the registry's `submission` function describes it. A WES service needs
    the workflow it runs, which the registry does not record yet: its jobs are refused with that reason."""
    if service["api_type"] == "michigan":
        return CloudgeneAdapter(outbound_client(), service["base_url"])
    raise ServiceRefusedError(
        f"the registry does not say which workflow the {service['api_type']} service runs, so no job can be sent to it"
    )

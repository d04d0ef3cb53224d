"""Which adapter reaches a service: picked by the registry's `api_type`, over one outbound client made
once per container (and so under the outbound policy)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from fip_core.container import per_container
from fip_core.outbound.client import OutboundClient, StreamedBody
from fip_core.outbound.policy import OutboundError, OutboundPolicy, outbound_settings
from fip_core.wes_workflow import WesWorkflow
from jobs.adapters.base import ImputationServiceAdapter, ServiceRefusedError, ServiceUnavailableError
from jobs.adapters.cloudgene import CloudgeneAdapter
from jobs.adapters.wes import WesAdapter

USER_AGENT = "federated-imputation-platform/0.1 (jobs)"


@per_container
def outbound_client() -> OutboundClient:
    """The client every job adapter calls through, under the outbound settings' policy."""
    return OutboundClient(OutboundPolicy.from_settings(outbound_settings()), user_agent=USER_AGENT)


def connect(service: dict[str, Any]) -> ImputationServiceAdapter:
    """The adapter of a service as the registry's `submission` function describes it: a WES service's runs
    go to its API root (as its last check found it) and run the workflow its record names; one without a
    workflow takes no job, and says so."""
    if service["api_type"] == "michigan":
        return CloudgeneAdapter(outbound_client(), service["base_url"])
    if service["api_type"] == "ga4gh_wes":
        if not service.get("workflow"):
            raise ServiceRefusedError(
                "the registry does not say which workflow this WES service runs, so no job can be sent to it: "
                "an administrator sets the service's workflow"
            )
        return WesAdapter(outbound_client(), service["api_url"], WesWorkflow.model_validate(service["workflow"]))
    raise ServiceRefusedError(f"no adapter speaks the {service['api_type']} protocol")


class PresignedUploads:
    """PUTs result parts to the files domain's presigned URLs, each streamed as it is read."""

    async def put_part(self, url: str, length: int, chunks: AsyncIterator[bytes]) -> str:
        """PUT one part; its ETag, or ServiceUnavailableError (the copy is tried again later)."""
        try:
            async with outbound_client().stream("PUT", url, body=StreamedBody(length, chunks)) as answer:
                await answer.read(65536)
                etag = answer.headers.get("etag")
        except OutboundError as error:
            raise ServiceUnavailableError(f"a part could not be stored ({error.kind})") from error
        if answer.status != 200 or not etag:
            raise ServiceUnavailableError(f"a part could not be stored (HTTP {answer.status})")
        return etag

"""Internal, IAM-only: the jobs domain asks which services can take a job, best first (`auto`).

`{"panel", "build", "near"?: {"latitude", "longitude"}}` answers the ranking of `GET
/services/discover` (`registry.models.discovery.Discovery`) with the platform's residency policy,
`"residency": {"allowed_countries", "allowed_services"}`, which `auto` filters it by; a malformed call answers
`{"error": "invalid_request", "detail": ...}`.
"""

from __future__ import annotations

from typing import Any

from fip_core.observability import observability
from fip_core.tasks import task_handler
from registry import DOMAIN

obs = observability(DOMAIN)


def ranking(event: dict[str, Any]) -> dict[str, Any]:
    """The ranking of the services for a panel and build, or why the request cannot be read."""
    from pydantic import ValidationError

    from registry.dal.unit_of_work import registry_reading
    from registry.handlers.wiring import utc_now
    from registry.logic.discovery import discover
    from registry.logic.residency import residency_values
    from registry.models.discovery import DiscoveryRequest

    try:
        request = DiscoveryRequest.model_validate(event)
    except ValidationError as error:
        return {"error": "invalid_request", "detail": str(error.errors(include_input=False))}
    ranking = discover(registry_reading, request, utc_now()).model_dump(mode="json")
    with registry_reading() as repo:
        policy = repo.residency.get()
    return ranking | {"residency": residency_values(policy)}


handler = task_handler(obs, ranking)

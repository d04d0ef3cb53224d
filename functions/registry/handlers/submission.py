"""Internal, IAM-only: the jobs domain asks what it needs of a service before submitting a job there.

`{"service_id"}` answers `{"id", "name", "api_type", "base_url", "active", "deactivated_reason",
"health_status", "requires_user_token", "supported_builds", "panels": [{"id", "slug", "build",
"populations", "available"}, ...], "api_url", "workflow", "country", "residency": {"allowed_countries",
"allowed_services"}}` (`workflow`: a WES service's `WesWorkflow`, or null; `residency`: the platform's
residency policy as it is now); a service the registry does not hold is `{"error": "not_found",
"detail": ...}`, a malformed call `{"error": "invalid_request", "detail": ...}`.
"""

from __future__ import annotations

from typing import Any

from fip_core.observability import observability
from fip_core.tasks import task_handler
from registry import DOMAIN

obs = observability(DOMAIN)


def submission(event: dict[str, Any]) -> dict[str, Any]:
    """The service's submission details, or why there are none."""
    from pydantic import ValidationError

    from registry.dal.unit_of_work import registry_reading
    from registry.logic.submission import submission_service
    from registry.models.submission import SubmissionRequest

    try:
        request = SubmissionRequest.model_validate(event)
    except ValidationError as error:
        return {"error": "invalid_request", "detail": str(error.errors(include_input=False))}
    service = submission_service(registry_reading, str(request.service_id))
    if service is None:
        return {"error": "not_found", "detail": "the registry holds no such service"}
    return service.model_dump(mode="json")


handler = task_handler(obs, submission)

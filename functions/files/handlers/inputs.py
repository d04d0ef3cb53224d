"""Internal, IAM-only: the jobs domain asks, for a user and file ids, whether each file is the user's,
its status and summary (samples, chromosome, build), and a short-lived presigned GET of each valid one
to hand to the imputation service.

`{"user_id", "file_ids": [...], "links"?: false, "recipient"?: {"service_id", "service_name", "job_id"}}` (the
service the links are for: recorded on each linked file, its `sent_to`) answers `{"files": [{"id", "found",
"status", "filename", "size_bytes", "build", "summary": {"samples", "chromosome", "build_detected"}, "url",
"url_expires_at"}, ...]}`, in the
order asked; another user's file is `{"id", "found": false}`, as a missing one. A malformed call is
`{"error": "invalid_request", "detail": ...}`.
"""

from __future__ import annotations

from typing import Any

from files import DOMAIN
from fip_core.observability import observability
from fip_core.tasks import task_handler

obs = observability(DOMAIN)


def inputs(event: dict[str, Any]) -> dict[str, Any]:
    """The requested files of a user, each with a link when it is valid."""
    from pydantic import ValidationError

    from files.handlers.wiring import files_adapters
    from files.logic.inputs import submission_inputs
    from files.models.inputs import InputsRequest
    from files.settings import files_settings

    try:
        request = InputsRequest.model_validate(event)
    except ValidationError as error:
        return {"error": "invalid_request", "detail": str(error.errors(include_input=False))}
    answer = submission_inputs(
        files_adapters(),
        files_settings(),
        request.user_id,
        request.file_ids,
        links=request.links,
        recipient=request.recipient,
    )
    linked = sum(1 for file in answer.files if file.url)
    obs.logger.info("inputs answered", extra={"user_id": request.user_id, "files": len(answer.files), "linked": linked})
    return answer.model_dump(mode="json")


handler = task_handler(obs, inputs)

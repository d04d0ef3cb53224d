"""Internal, IAM-only: the jobs domain registers a result file and uploads it through the same presigned
multipart URLs as a user, under the user's prefix, with the same retention and access rules.

`{"action": "register", "user_id", "job_id", "file": {"filename", "size_bytes", "sha256"?}}` answers the file
as `POST /files` does (`{"id", "status", "upload": {"part_size", "parts": [...]}}`); after the PUTs,
`{"action": "complete", "user_id", "file_id", "completion": {"parts": [...]}}` answers the file, `stored`.
A refusal is `{"error": "invalid_request" | "not_found" | "conflict", "detail": ...}`.
"""

from __future__ import annotations

from typing import Any

from files import DOMAIN
from fip_core.observability import observability
from fip_core.tasks import task_handler

obs = observability(DOMAIN)


def register(event: dict[str, Any]) -> dict[str, Any]:
    """Register a result, or complete its upload."""
    from pydantic import ValidationError

    from files.handlers.wiring import files_adapters
    from files.logic import uploads
    from files.models.results import RegisterResult, ResultCall
    from files.settings import files_settings
    from fip_core.problems import DomainError

    try:
        call = ResultCall.model_validate({"call": event}).call
    except ValidationError as error:
        return {"error": "invalid_request", "detail": str(error.errors(include_input=False))}
    adapters, settings = files_adapters(), files_settings()
    try:
        if isinstance(call, RegisterResult):
            owner, job = call.user_id, call.job_id
            created = uploads.create_file(adapters, settings, owner, call.file, kind="result", job_id=job)
            obs.logger.info("result registered", extra={"file_id": str(created.id), "job_id": call.job_id})
            return created.model_dump(mode="json")
        return uploads.complete_upload(adapters, call.user_id, call.file_id, call.completion).model_dump(mode="json")
    except DomainError as refused:
        kind = {404: "not_found", 409: "conflict"}.get(int(refused.status), "invalid_request")
        return {"error": kind, "detail": refused.detail, "errors": [e.model_dump() for e in refused.errors or []]}


handler = task_handler(obs, register)

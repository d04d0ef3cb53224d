"""Internal, IAM-only: validates one byte range of a large stored file, for the `validate` function,
which splits the file at block boundaries, invokes this once per range at the same time, and merges
the answers (`files.validation.wire`)."""

from __future__ import annotations

from typing import Any

from files import DOMAIN
from fip_core.observability import observability
from fip_core.tasks import task_handler

obs = observability(DOMAIN)


def validate_range(event: dict[str, Any]) -> dict[str, Any]:
    """The range's result as JSON, or `{"error": "invalid_request", "detail": ...}`; a read that fails
    raises, and the splitting function's validation with it (S3's event is then delivered again)."""
    from pydantic import ValidationError

    from files.handlers.wiring import files_adapters
    from files.models.ranges import RangeRequest
    from files.validation import validate_range as scan
    from files.validation.wire import result_to_json

    try:
        request = RangeRequest.model_validate(event)
    except ValidationError as error:
        return {"error": "invalid_request", "detail": str(error.errors(include_input=False))}
    source = files_adapters().store.source(request.key, request.size)
    with source.open_at(request.start) as stream:
        result = scan(stream, request.start, request.end, request.limits.limits(), request.header())
    return result_to_json(result)


handler = task_handler(obs, validate_range)

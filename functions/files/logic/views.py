"""Domain objects to API models."""

from __future__ import annotations

from files.domain import FileRecord
from files.models.files import FileView, FindingView, SummaryView


def file_view(record: FileRecord) -> FileView:
    """The API's view of a file."""
    return FileView.model_validate(
        {
            "id": record.id,
            "filename": record.filename,
            "kind": record.kind,
            "job_id": record.job_id,
            "status": record.status,
            "size_bytes": record.size_bytes,
            "sha256": record.sha256,
            "build": record.build,
            "findings": [FindingView.model_validate(found) for found in record.findings or []],
            "summary": SummaryView.model_validate(record.summary) if record.summary else None,
            "created_at": record.created_at,
            "validated_at": record.validated_at,
            "expires_at": record.expires_at,
        }
    )

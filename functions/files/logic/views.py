"""Domain objects to API models."""

from __future__ import annotations

from collections.abc import Sequence

from files.domain import FileRecord, Recipient
from files.models.files import FileView, FindingView, SentTo, SummaryView


def file_view(record: FileRecord, recipients: Sequence[Recipient] = ()) -> FileView:
    """The API's view of a file (with the services it was sent to, where the caller reads one file)."""
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
            "allowed_countries": record.allowed_countries,
            "allowed_services": record.allowed_services,
            "sent_to": [
                SentTo.model_validate(
                    {"service_id": r.service_id, "service_name": r.service_name, "job_id": r.job_id, "at": r.at}
                )
                for r in recipients
            ],
        }
    )

"""Domain objects to API models."""

from __future__ import annotations

from typing import Any

from jobs.domain import JobRecord, Target, Transition
from jobs.models.jobs import JobSummary, JobView, Routing, ServiceRef, TransitionView


def _summary_fields(job: JobRecord) -> dict[str, Any]:
    return {
        "id": job.id,
        "name": job.name,
        "status": job.status.value,
        "progress": job.progress,
        "service": None
        if job.is_family
        else ServiceRef.model_validate({"id": job.service_id, "name": job.service_name, "api_type": job.api_type}),
        "parent_id": job.parent_id,
        "created_at": job.created_at,
        "updated_at": job.updated_at,
        "finished_at": job.finished_at,
    }


def job_summary(job: JobRecord) -> JobSummary:
    """The API's view of a job in a list."""
    return JobSummary.model_validate(_summary_fields(job))


def job_view(job: JobRecord, history: list[Transition], *, children: list[JobSummary] | None = None) -> JobView:
    """The API's view of one job, with its history (and its children, for a multi-service job)."""
    transitions = [
        TransitionView(
            revision=t.revision,
            previous_status=t.previous_status.value if t.previous_status else None,
            status=t.status.value,
            at=t.at,
            reason=t.reason,
        )
        for t in history
    ]
    return JobView.model_validate(
        _summary_fields(job)
        | {
            "panel": job.panel,
            "build": job.build,
            "phasing": job.phasing,
            "population": job.population,
            "r2_filter": job.r2_filter,
            "mode": job.mode,
            "file_ids": job.file_ids,
            "external_id": job.external_id,
            "position_in_queue": job.position_in_queue,
            "waiting_for_service": job.waiting_reason,
            "stalled": job.stalled,
            "steps": job.steps,
            "error": job.error,
            "history": transitions,
            "retry_of": job.retry_of,
            "children": children or [],
            "routing": Routing.model_validate(job.routing) if job.target == Target.AUTO else None,
        }
    )

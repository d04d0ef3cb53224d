"""A service's submission details, for the jobs domain: what it is, whether it takes jobs, its panels, and
the platform's residency policy in force, read in the same transaction."""

from __future__ import annotations

from registry.logic.api_models import job_panel_values
from registry.logic.ga4gh import api_url
from registry.logic.ports import Transaction
from registry.logic.residency import residency_values
from registry.models.panels import PanelQuery
from registry.models.submission import SubmissionService


def submission_service(reading: Transaction, service_id: str) -> SubmissionService | None:
    """The service and its panels, or None when the registry has no such service."""
    with reading() as repo:
        service = repo.services.get(service_id)
        if service is None:
            return None
        panels = repo.panels.find(PanelQuery.model_validate({"service_id": service_id}))
        policy = repo.residency.get()
    return SubmissionService.model_validate(
        {
            "id": service.id,
            "name": service.name,
            "api_type": service.api_type,
            "base_url": service.base_url,
            "active": service.is_active,
            "deactivated_reason": service.deactivated_reason,
            "health_status": service.health.status,
            "requires_user_token": service.requires_user_token,
            "supported_builds": service.supported_builds,
            "panels": [job_panel_values(panel) for panel in panels],
            "api_url": api_url(service),
            "workflow": service.workflow,
            "country": service.country,
            "residency": residency_values(policy),
        }
    )

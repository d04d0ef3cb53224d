"""The registry's domain records as the API's models: fields of the same name carry over, the
rest (the service's location, its health) are mapped here."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from registry.domain import HealthState, PanelRecord, PastCheck, ServiceRecord, UptimeShares
from registry.models.health import HealthCheck, ServiceHealthReport, Uptime
from registry.models.panels import ReferencePanel
from registry.models.services import ImputationService, ServiceHealth


def service_health(health: HealthState) -> ServiceHealth:
    """A health state as the API shows it."""
    return ServiceHealth.model_validate(vars(health))


def imputation_service(service: ServiceRecord) -> ImputationService:
    """A service as the API shows it."""
    return ImputationService.model_validate(imputation_service_values(service))


def imputation_service_values(service: ServiceRecord) -> dict[str, Any]:
    """A service's values in the API's shape, for validating into `ImputationService` (alone, or a page of
    them in one pass: nested models built one by one cost several times more)."""
    location = {
        "country": service.country, "city": service.city, "latitude": service.latitude,
        "longitude": service.longitude,
    }  # fmt: skip
    return {**vars(service), "location": location, "health": vars(service.health)}


def reference_panel(panel: PanelRecord) -> ReferencePanel:
    """A panel as the API shows it."""
    return ReferencePanel.model_validate(panel, from_attributes=True)


def job_panel_values(panel: PanelRecord) -> dict[str, Any]:
    """A panel as a job names and checks it (`SubmissionPanel`, discovery's `OfferedPanel`)."""
    return {
        "id": panel.id, "slug": panel.slug, "build": panel.build, "populations": panel.populations,
        "available": panel.is_available,
    }  # fmt: skip


def health_check(check: PastCheck) -> HealthCheck:
    """A past check as the API shows it."""
    return HealthCheck.model_validate(check, from_attributes=True)


def uptime(shares: UptimeShares) -> Uptime:
    """Uptime shares as the API shows them."""
    return Uptime.model_validate(shares, from_attributes=True)


def health_report(service: ServiceRecord, shares: UptimeShares) -> ServiceHealthReport:
    """A service's health with its uptime."""
    return ServiceHealthReport(
        service_id=UUID(service.id),
        slug=service.slug,
        name=service.name,
        is_active=service.is_active,
        health=service_health(service.health),
        uptime=uptime(shares),
    )

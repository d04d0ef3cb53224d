"""Reference panels of the services."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fip_core.problems import ConflictError, NotFoundError
from fip_core.repository import DuplicateError
from registry.dal.repository import RegistryRepository
from registry.logic.api_models import reference_panel
from registry.logic.services import existing_service
from registry.models.panels import PanelCreate, PanelList, PanelQuery, PanelUpdate, ReferencePanel


def add_panel(repo: RegistryRepository, service_id: UUID, data: PanelCreate, now: datetime) -> ReferencePanel:
    """Add a panel to a service; its slug must be new on that service."""
    existing_service(repo, service_id)
    try:
        return reference_panel(repo.panels.add(str(service_id), data, now))
    except DuplicateError as error:
        raise ConflictError(f"the service already has a panel '{data.slug}'; change that one instead") from error


def list_panels(repo: RegistryRepository, query: PanelQuery) -> PanelList:
    """Panels matching the filters; with a service id, that service must exist."""
    if query.service_id is not None:
        existing_service(repo, query.service_id)
    return PanelList(items=[reference_panel(panel) for panel in repo.panels.find(query)])


def get_panel(repo: RegistryRepository, service_id: UUID, panel_id: UUID) -> ReferencePanel:
    """One panel of one service, or NotFoundError."""
    panel = repo.panels.get(str(service_id), str(panel_id))
    if panel is None:
        raise NotFoundError(f"service {service_id} has no reference panel {panel_id}")
    return reference_panel(panel)


def change_panel(
    repo: RegistryRepository, service_id: UUID, panel_id: UUID, changes: PanelUpdate, now: datetime
) -> ReferencePanel:
    """Apply the fields given to a panel of this service (never to another service's panel)."""
    fields = changes.model_dump(mode="json", exclude_unset=True)
    panel = repo.panels.update(str(service_id), str(panel_id), fields, now)
    if panel is None:
        raise NotFoundError(f"service {service_id} has no reference panel {panel_id}")
    return reference_panel(panel)


def remove_panel(repo: RegistryRepository, service_id: UUID, panel_id: UUID) -> None:
    """Delete a panel of this service."""
    if not repo.panels.delete(str(service_id), str(panel_id)):
        raise NotFoundError(f"service {service_id} has no reference panel {panel_id}")

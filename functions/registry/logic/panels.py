"""Reference panels of the services."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fip_core.problems import ConflictError, NotFoundError
from fip_core.repository import DuplicateError
from registry.dal.repository import RegistryRepository
from registry.logic.services import get_service
from registry.models.panels import PanelCreate, PanelList, PanelQuery, PanelUpdate, ReferencePanel


def add_panel(repo: RegistryRepository, service_id: UUID, data: PanelCreate, now: datetime) -> ReferencePanel:
    """Add a panel to a service; its slug must be new on that service."""
    get_service(repo, service_id)
    try:
        return repo.add_panel(str(service_id), data, now)
    except DuplicateError as error:
        raise ConflictError(f"the service already has a panel '{data.slug}'; change that one instead") from error


def list_panels(repo: RegistryRepository, query: PanelQuery) -> PanelList:
    """Panels matching the filters; with a service id, that service must exist."""
    if query.service_id is not None:
        get_service(repo, query.service_id)
    return PanelList(items=repo.find_panels(query))


def get_panel(repo: RegistryRepository, service_id: UUID, panel_id: UUID) -> ReferencePanel:
    """One panel of one service, or NotFoundError."""
    panel = repo.get_panel(str(service_id), str(panel_id))
    if panel is None:
        raise NotFoundError(f"service {service_id} has no reference panel {panel_id}")
    return panel


def change_panel(
    repo: RegistryRepository, service_id: UUID, panel_id: UUID, changes: PanelUpdate, now: datetime
) -> ReferencePanel:
    """Apply the fields given to a panel."""
    panel = repo.update_panel(str(service_id), str(panel_id), changes.model_dump(mode="json", exclude_unset=True), now)
    if panel is None:
        raise NotFoundError(f"service {service_id} has no reference panel {panel_id}")
    return panel


def remove_panel(repo: RegistryRepository, service_id: UUID, panel_id: UUID) -> None:
    """Delete a panel."""
    if not repo.delete_panel(str(service_id), str(panel_id)):
        raise NotFoundError(f"service {service_id} has no reference panel {panel_id}")

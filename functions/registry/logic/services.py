"""Registering, finding, changing and removing imputation services."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fip_core.problems import ConflictError, NotFoundError
from fip_core.repository import DuplicateError
from registry.dal.repository import RegistryRepository
from registry.models.services import ImputationService, ServiceCreate, ServicePage, ServiceQuery, ServiceUpdate


def register_service(repo: RegistryRepository, data: ServiceCreate, now: datetime) -> ImputationService:
    """Store a new service; it is checked by the next sweep."""
    try:
        return repo.add_service(data, now)
    except DuplicateError as error:  # the slug is the services' one unique column
        raise ConflictError(f"a service with slug '{data.slug}' exists already; choose another slug") from error


def find_services(repo: RegistryRepository, query: ServiceQuery) -> ServicePage:
    """A page of services matching the query."""
    items, total = repo.find_services(query)
    return ServicePage(items=items, total=total, limit=query.limit, offset=query.offset)


def get_service(repo: RegistryRepository, service_id: UUID) -> ImputationService:
    """One service, or NotFoundError."""
    service = repo.get_service(str(service_id))
    if service is None:
        raise NotFoundError(f"no imputation service with id {service_id}")
    return service


def change_service(
    repo: RegistryRepository, service_id: UUID, changes: ServiceUpdate, now: datetime
) -> ImputationService:
    """Apply the fields given; a changed base URL makes the service due for a check at once."""
    values = changes.model_dump(mode="json", exclude_unset=True)
    if changes.is_active is False:
        values["deactivated_reason"] = "deactivated by an administrator"
    service = repo.update_service(str(service_id), values, now)
    if service is None:
        raise NotFoundError(f"no imputation service with id {service_id}")
    return service


def remove_service(repo: RegistryRepository, service_id: UUID) -> None:
    """Delete a service with its panels and health history."""
    if not repo.delete_service(str(service_id)):
        raise NotFoundError(f"no imputation service with id {service_id}")

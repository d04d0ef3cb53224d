"""Registering, finding, changing and removing imputation services."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from fip_core.access import Principal, Role
from fip_core.problems import ConflictError, FieldProblem, ForbiddenError, NotFoundError, UnprocessableError
from fip_core.repository import DuplicateError
from registry.dal.repository import RegistryRepository
from registry.domain import HealthState, ServiceRecord
from registry.logic.api_models import imputation_service, imputation_service_values
from registry.models.common import ApiType, HealthStatus
from registry.models.services import ImputationService, ServiceCreate, ServicePage, ServiceQuery, ServiceUpdate

_WHERE_IT_IS_CALLED = ("base_url",)


def register_service(repo: RegistryRepository, data: ServiceCreate, now: datetime) -> ImputationService:
    """Store a new service; it is checked by the next sweep."""
    try:
        return imputation_service(repo.services.add(data, now))
    except DuplicateError as error:  # the slug is the services' one unique column
        raise ConflictError(f"a service with slug '{data.slug}' exists already; choose another slug") from error


def find_services(repo: RegistryRepository, query: ServiceQuery) -> ServicePage:
    """A page of services matching the query."""
    found = repo.services.find(query)
    return ServicePage.model_validate(
        {
            "items": [imputation_service_values(service) for service in found.items],
            "total": found.total,
            "limit": query.limit,
            "offset": query.offset,
        }
    )


def existing_service(repo: RegistryRepository, service_id: UUID) -> ServiceRecord:
    """One service, or NotFoundError."""
    service = repo.services.get(str(service_id))
    if service is None:
        raise NotFoundError(f"no imputation service with id {service_id}")
    return service


def get_service(repo: RegistryRepository, service_id: UUID) -> ImputationService:
    """One service as the API shows it, or NotFoundError."""
    return imputation_service(existing_service(repo, service_id))


def change_service(
    repo: RegistryRepository, principal: Principal, service_id: UUID, changes: ServiceUpdate, now: datetime
) -> ImputationService:
    """Apply the fields given. Only an unscoped admin may say where the service is (its base URL):
    the platform calls that URL with users' tokens."""
    if any(field in changes.model_fields_set for field in _WHERE_IT_IS_CALLED) and not principal.holds(Role.ADMIN):
        raise ForbiddenError(
            "only a platform administrator may change a service's base_url (the platform sends users' tokens "
            "there); change the other fields, or ask a platform administrator"
        )
    current = existing_service(repo, service_id)
    api_type = changes.api_type or current.api_type
    workflow = changes.workflow if "workflow" in changes.model_fields_set else current.workflow
    if workflow is not None and api_type is not ApiType.GA4GH_WES:
        message = f'a {api_type.value} service runs no WES workflow: send "workflow": null with the change'
        problem = FieldProblem(location="body.workflow", message=message, type="workflow_not_wes")
        raise UnprocessableError(message, errors=[problem])
    values: dict[str, Any] = changes.model_dump(mode="json", exclude_unset=True, exclude={"location"})
    if changes.location is not None:
        values.update(changes.location.model_dump())
    moved = any(field in values and values[field] != getattr(current, field) for field in ("base_url", "api_type"))
    if changes.is_active is False:
        values["deactivated_reason"] = "deactivated by an administrator"
    reactivated = changes.is_active is True and not current.is_active
    if reactivated:
        values["deactivated_reason"] = None
    # a new address or protocol, or a service back from deactivation, is a service the platform
    # knows nothing about yet: its health (and its 30 days to deactivation) start afresh, at once
    health = HealthState(status=HealthStatus.UNKNOWN, next_check_at=now) if moved or reactivated else None
    service = repo.services.update(str(service_id), values, now, health)
    if service is None:
        raise NotFoundError(f"no imputation service with id {service_id}")
    return imputation_service(service)


def remove_service(repo: RegistryRepository, service_id: UUID) -> None:
    """Delete a service with its panels and health history."""
    if not repo.services.delete(str(service_id)):
        raise NotFoundError(f"no imputation service with id {service_id}")

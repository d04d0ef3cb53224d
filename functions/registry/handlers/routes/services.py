"""Routes of imputation services: list, register, read, change, delete."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from fip_core.http import answers, current_principal, json_response, no_content, route_group
from registry.dal.unit_of_work import registry_reading, registry_repository
from registry.handlers.routes.common import SERVICES, audit
from registry.handlers.wiring import utc_now
from registry.logic import services
from registry.models.common import ApiType, GenomeBuild, HealthStatus
from registry.models.services import ImputationService, ServiceCreate, ServicePage, ServiceQuery, ServiceUpdate

router = route_group()


@router.get("/services", summary="List and search services", tags=[SERVICES], responses=answers(200, ServicePage))
def list_services(
    q: Annotated[
        str | None, Query(max_length=200, description="Text in name, slug, description or institution")
    ] = None,
    api_type: Annotated[ApiType | None, Query()] = None,
    is_active: Annotated[bool | None, Query()] = None,
    health_status: Annotated[HealthStatus | None, Query(alias="health")] = None,
    build: Annotated[GenomeBuild | None, Query()] = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ServicePage:
    query = ServiceQuery(
        q=q,
        api_type=api_type,
        is_active=is_active,
        health=health_status,
        build=build,
        country=country,
        limit=limit,
        offset=offset,
    )
    with registry_reading() as repo:
        return services.find_services(repo, query)


@router.post("/services", summary="Register a service", tags=[SERVICES], responses=answers(201, ImputationService, 409))
def register_service(body: ServiceCreate) -> Response[ImputationService]:
    with registry_repository() as repo:
        service = services.register_service(repo, body, utc_now())
        details = {"slug": service.slug, **_workflow_audited(body)}
        audit(router, repo, "service_created", "service", service.id, details)
    return json_response(service, HTTPStatus.CREATED, {"Location": f"/services/{service.id}"})


@router.get(
    "/services/<service_id>", summary="Get a service", tags=[SERVICES], responses=answers(200, ImputationService, 404)
)
def get_service(service_id: UUID) -> ImputationService:
    with registry_reading() as repo:
        return services.get_service(repo, service_id)


@router.patch(
    "/services/<service_id>",
    summary="Change a service",
    description="A service admin of this service may change any field but `base_url`, which only a platform "
    "administrator (an unscoped admin) may change: the platform sends users' tokens to that URL.",
    tags=[SERVICES],
    responses=answers(200, ImputationService, 403, 404),
)
def change_service(service_id: UUID, body: ServiceUpdate) -> ImputationService:
    with registry_repository() as repo:
        service = services.change_service(repo, current_principal(router), service_id, body, utc_now())
        details = {"fields": sorted(body.model_fields_set), **_workflow_audited(body)}
        audit(router, repo, "service_changed", "service", service_id, details)
    return service


def _workflow_audited(body: ServiceCreate | ServiceUpdate) -> dict[str, Any]:
    """Which workflow the service now runs, when the request set it (the whole document is in the service)."""
    if "workflow" not in body.model_fields_set:
        return {}
    workflow = body.workflow
    if workflow is None:
        return {"workflow": None}
    return {"workflow": workflow.model_dump(include={"workflow_url", "workflow_type", "workflow_type_version"})}


@router.delete(
    "/services/<service_id>",
    summary="Delete a service with its panels and history",
    tags=[SERVICES],
    responses=answers(204, None, 404),
)
def delete_service(service_id: UUID) -> Response[None]:
    with registry_repository() as repo:
        services.remove_service(repo, service_id)
        audit(router, repo, "service_deleted", "service", service_id)
    return no_content()

"""Routes of the GA4GH Service Registry 1.0.0."""

from __future__ import annotations

from fip_core.http import answers, route_group
from registry.dal.unit_of_work import registry_reading
from registry.handlers.routes.common import GA4GH
from registry.logic import ga4gh
from registry.models.ga4gh import ExternalService, Service, ServiceType
from registry.settings import registry_settings

router = route_group()


@router.get(
    "/ga4gh/registry/v1/services",
    summary="List services in the registry",
    tags=[GA4GH],
    responses=answers(200, list[ExternalService]),
)
def ga4gh_services() -> list[ExternalService]:
    with registry_reading() as repo:
        return ga4gh.list_external_services(repo, registry_settings())


@router.get(
    "/ga4gh/registry/v1/services/types",
    summary="List types of services in the registry",
    tags=[GA4GH],
    responses=answers(200, list[ServiceType]),
)
def ga4gh_service_types() -> list[ServiceType]:
    with registry_reading() as repo:
        return ga4gh.service_types(repo, registry_settings())


@router.get(
    "/ga4gh/registry/v1/services/<service_id>",
    summary="Find a service by id",
    tags=[GA4GH],
    responses=answers(200, ExternalService, 404),
)
def ga4gh_service(service_id: str) -> ExternalService:
    with registry_reading() as repo:
        return ga4gh.get_external_service(repo, service_id, registry_settings())


@router.get(
    "/ga4gh/registry/v1/service-info",
    summary="Information about this registry",
    tags=[GA4GH],
    responses=answers(200, Service),
)
def ga4gh_service_info() -> Service:
    return ga4gh.registry_service_info(registry_settings())

"""The registry's HTTP API: services, reference panels, health and the GA4GH Service Registry."""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus
from typing import Annotated, Any
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from fip_core.audit import audit_record
from fip_core.http import (
    answers,
    api_handler,
    create_resolver,
    current_principal,
    json_response,
    no_content,
    source_ip,
)
from fip_core.observability import observability
from fip_core.platform_events import AuditRecorded
from registry.dal.repository import RegistryRepository
from registry.dal.unit_of_work import registry_repository
from registry.declaration import DECLARATION
from registry.handlers.wiring import health_adapters, health_policy, utc_now
from registry.logic import ga4gh, health, panels, services
from registry.models.common import ApiType, GenomeBuild, HealthStatus
from registry.models.ga4gh import ExternalService, Service, ServiceType
from registry.models.health import ConnectionTest, HealthHistory, HealthOverview, ProbeOutcome, ServiceHealthReport
from registry.models.panels import PanelCreate, PanelList, PanelQuery, PanelUpdate, ReferencePanel
from registry.models.services import ImputationService, ServiceCreate, ServicePage, ServiceQuery, ServiceUpdate
from registry.settings import DOMAIN, registry_settings

obs = observability(DOMAIN)
app = create_resolver(obs)

SERVICES = "Imputation services"
PANELS = "Reference panels"
HEALTH = "Service health"
GA4GH = "GA4GH Service Registry"


_now = utc_now


def _audit(
    repo: RegistryRepository, action: str, target_type: str, target_id: object, details: dict[str, Any] | None = None
) -> None:
    """Queue the audit record of an admin action in the action's own transaction."""
    now = _now()
    record = audit_record(
        DOMAIN, action, current_principal(app), now, target_type=target_type, target_id=str(target_id),
        source_ip=source_ip(app), details=details,
    )  # fmt: skip
    repo.add_event(AuditRecorded.of(record), now)


# --- imputation services -------------------------------------------------------------------------


@app.get("/services", summary="List and search services", tags=[SERVICES], responses=answers(200, ServicePage))
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
    with registry_repository() as repo:
        return services.find_services(repo, query)


@app.post("/services", summary="Register a service", tags=[SERVICES], responses=answers(201, ImputationService, 409))
def register_service(body: ServiceCreate) -> Response[ImputationService]:
    with registry_repository() as repo:
        service = services.register_service(repo, body, _now())
        _audit(repo, "service_created", "service", service.id, {"slug": service.slug})
    return json_response(service, HTTPStatus.CREATED, {"Location": f"/services/{service.id}"})


@app.post(
    "/services/test-connection",
    summary="Probe a URL as a service without saving it",
    description="Answers what the URL said about itself (WES service-info, Cloudgene server info and queue) "
    "or, in a few fixed words, what failed. Only globally routable addresses are called (and only https:// "
    "in the cloud); anything else is answered as a failure without connecting. Nothing is stored.",
    tags=[SERVICES],
    responses=answers(200, ProbeOutcome),
)
def test_connection(body: ConnectionTest) -> ProbeOutcome:
    return health.probe_connection(body, health_adapters().prober, health_policy())


@app.get(
    "/services/<service_id>", summary="Get a service", tags=[SERVICES], responses=answers(200, ImputationService, 404)
)
def get_service(service_id: UUID) -> ImputationService:
    with registry_repository() as repo:
        return services.get_service(repo, service_id)


@app.patch(
    "/services/<service_id>",
    summary="Change a service",
    description="A service admin of this service may change any field but `base_url`, which only a platform "
    "administrator (an unscoped admin) may change: the platform sends users' tokens to that URL.",
    tags=[SERVICES],
    responses=answers(200, ImputationService, 403, 404),
)
def change_service(service_id: UUID, body: ServiceUpdate) -> ImputationService:
    with registry_repository() as repo:
        service = services.change_service(repo, current_principal(app), service_id, body, _now())
        _audit(repo, "service_changed", "service", service_id, {"fields": sorted(body.model_fields_set)})
    return service


@app.delete(
    "/services/<service_id>",
    summary="Delete a service with its panels and history",
    tags=[SERVICES],
    responses=answers(204, None, 404),
)
def delete_service(service_id: UUID) -> Response[None]:
    with registry_repository() as repo:
        services.remove_service(repo, service_id)
        _audit(repo, "service_deleted", "service", service_id)
    return no_content()


# --- reference panels ----------------------------------------------------------------------------


@app.get(
    "/services/<service_id>/panels",
    summary="List a service's panels",
    tags=[PANELS],
    responses=answers(200, PanelList, 404),
)
def list_service_panels(service_id: UUID) -> PanelList:
    with registry_repository() as repo:
        return panels.list_panels(repo, PanelQuery(service_id=service_id))


@app.post(
    "/services/<service_id>/panels",
    summary="Add a panel to a service",
    tags=[PANELS],
    responses=answers(201, ReferencePanel, 404, 409),
)
def add_panel(service_id: UUID, body: PanelCreate) -> Response[ReferencePanel]:
    with registry_repository() as repo:
        panel = panels.add_panel(repo, service_id, body, _now())
        _audit(repo, "panel_added", "panel", panel.id, {"service_id": str(service_id), "slug": panel.slug})
    return json_response(panel, HTTPStatus.CREATED, {"Location": f"/services/{service_id}/panels/{panel.id}"})


@app.get(
    "/services/<service_id>/panels/<panel_id>",
    summary="Get a panel",
    tags=[PANELS],
    responses=answers(200, ReferencePanel, 404),
)
def get_panel(service_id: UUID, panel_id: UUID) -> ReferencePanel:
    with registry_repository() as repo:
        return panels.get_panel(repo, service_id, panel_id)


@app.patch(
    "/services/<service_id>/panels/<panel_id>",
    summary="Change a panel",
    tags=[PANELS],
    responses=answers(200, ReferencePanel, 404),
)
def change_panel(service_id: UUID, panel_id: UUID, body: PanelUpdate) -> ReferencePanel:
    with registry_repository() as repo:
        panel = panels.change_panel(repo, service_id, panel_id, body, _now())
        _audit(
            repo,
            "panel_changed",
            "panel",
            panel_id,
            {"service_id": str(service_id), "fields": sorted(body.model_fields_set)},
        )
    return panel


@app.delete(
    "/services/<service_id>/panels/<panel_id>",
    summary="Delete a panel",
    tags=[PANELS],
    responses=answers(204, None, 404),
)
def delete_panel(service_id: UUID, panel_id: UUID) -> Response[None]:
    with registry_repository() as repo:
        panels.remove_panel(repo, service_id, panel_id)
        _audit(repo, "panel_deleted", "panel", panel_id, {"service_id": str(service_id)})
    return no_content()


@app.get("/panels", summary="Find panels across services", tags=[PANELS], responses=answers(200, PanelList))
def find_panels(
    build: Annotated[GenomeBuild | None, Query()] = None,
    population: Annotated[str | None, Query(max_length=64)] = None,
    available: Annotated[bool | None, Query()] = None,
) -> PanelList:
    with registry_repository() as repo:
        return panels.list_panels(repo, PanelQuery(build=build, population=population, available=available))


# --- health --------------------------------------------------------------------------------------


@app.get(
    "/services/<service_id>/health",
    summary="A service's health and uptime",
    tags=[HEALTH],
    responses=answers(200, ServiceHealthReport, 404),
)
def service_health(service_id: UUID) -> ServiceHealthReport:
    with registry_repository() as repo:
        return health.service_health_report(repo, service_id, _now())


@app.get(
    "/services/<service_id>/health/history",
    summary="Past checks, newest first",
    tags=[HEALTH],
    responses=answers(200, HealthHistory, 404),
)
def service_health_history(
    service_id: UUID,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before: Annotated[datetime | None, Query(description="Only checks before this time (for paging)")] = None,
) -> HealthHistory:
    with registry_repository() as repo:
        return health.health_history(repo, service_id, limit, before)


@app.post(
    "/services/<service_id>/health-check",
    summary="Check a service now",
    tags=[HEALTH],
    responses=answers(200, ServiceHealthReport, 404),
)
def check_service_now(service_id: UUID) -> ServiceHealthReport:
    return health.check_now(health_adapters(), service_id, health_policy())


@app.get(
    "/service-health",
    summary="Which services are up, at a glance",
    tags=[HEALTH],
    responses=answers(200, HealthOverview),
)
def health_overview(api_type: Annotated[ApiType | None, Query()] = None) -> HealthOverview:
    with registry_repository() as repo:
        return health.health_overview(repo, _now(), api_type)


# --- GA4GH Service Registry 1.0.0 ----------------------------------------------------------------


@app.get(
    "/ga4gh/registry/v1/services",
    summary="List services in the registry",
    tags=[GA4GH],
    responses=answers(200, list[ExternalService]),
)
def ga4gh_services() -> list[ExternalService]:
    with registry_repository() as repo:
        return ga4gh.list_external_services(repo, registry_settings())


@app.get(
    "/ga4gh/registry/v1/services/types",
    summary="List types of services in the registry",
    tags=[GA4GH],
    responses=answers(200, list[ServiceType]),
)
def ga4gh_service_types() -> list[ServiceType]:
    with registry_repository() as repo:
        return ga4gh.service_types(repo, registry_settings())


@app.get(
    "/ga4gh/registry/v1/services/<service_id>",
    summary="Find a service by id",
    tags=[GA4GH],
    responses=answers(200, ExternalService, 404),
)
def ga4gh_service(service_id: str) -> ExternalService:
    with registry_repository() as repo:
        return ga4gh.get_external_service(repo, service_id, registry_settings())


@app.get(
    "/ga4gh/registry/v1/service-info",
    summary="Information about this registry",
    tags=[GA4GH],
    responses=answers(200, Service),
)
def ga4gh_service_info() -> Service:
    return ga4gh.registry_service_info(registry_settings())


handler = api_handler(app, obs, DECLARATION)

"""Routes of reference panels: per service, and found across services."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from fip_core.http import answers, json_response, no_content, route_group
from registry.dal.unit_of_work import registry_reading, registry_repository
from registry.handlers.routes.common import PANELS, audit
from registry.handlers.wiring import utc_now
from registry.logic import panels
from registry.models.common import GenomeBuild
from registry.models.panels import PanelCreate, PanelList, PanelQuery, PanelUpdate, ReferencePanel

router = route_group()


@router.get(
    "/services/<service_id>/panels",
    summary="List a service's panels",
    tags=[PANELS],
    responses=answers(200, PanelList, 404),
)
def list_service_panels(service_id: UUID) -> PanelList:
    with registry_reading() as repo:
        return panels.list_panels(repo, PanelQuery(service_id=service_id))


@router.post(
    "/services/<service_id>/panels",
    summary="Add a panel to a service",
    tags=[PANELS],
    responses=answers(201, ReferencePanel, 404, 409),
)
def add_panel(service_id: UUID, body: PanelCreate) -> Response[ReferencePanel]:
    with registry_repository() as repo:
        panel = panels.add_panel(repo, service_id, body, utc_now())
        audit(router, repo, "panel_added", "panel", panel.id, {"service_id": str(service_id), "slug": panel.slug})
    return json_response(panel, HTTPStatus.CREATED, {"Location": f"/services/{service_id}/panels/{panel.id}"})


@router.get(
    "/services/<service_id>/panels/<panel_id>",
    summary="Get a panel",
    tags=[PANELS],
    responses=answers(200, ReferencePanel, 404),
)
def get_panel(service_id: UUID, panel_id: UUID) -> ReferencePanel:
    with registry_reading() as repo:
        return panels.get_panel(repo, service_id, panel_id)


@router.patch(
    "/services/<service_id>/panels/<panel_id>",
    summary="Change a panel",
    tags=[PANELS],
    responses=answers(200, ReferencePanel, 404),
)
def change_panel(service_id: UUID, panel_id: UUID, body: PanelUpdate) -> ReferencePanel:
    with registry_repository() as repo:
        panel = panels.change_panel(repo, service_id, panel_id, body, utc_now())
        audit(
            router,
            repo,
            "panel_changed",
            "panel",
            panel_id,
            {"service_id": str(service_id), "fields": sorted(body.model_fields_set)},
        )
    return panel


@router.delete(
    "/services/<service_id>/panels/<panel_id>",
    summary="Delete a panel",
    tags=[PANELS],
    responses=answers(204, None, 404),
)
def delete_panel(service_id: UUID, panel_id: UUID) -> Response[None]:
    with registry_repository() as repo:
        panels.remove_panel(repo, service_id, panel_id)
        audit(router, repo, "panel_deleted", "panel", panel_id, {"service_id": str(service_id)})
    return no_content()


@router.get("/panels", summary="Find panels across services", tags=[PANELS], responses=answers(200, PanelList))
def find_panels(
    build: Annotated[GenomeBuild | None, Query()] = None,
    population: Annotated[str | None, Query(max_length=64)] = None,
    available: Annotated[bool | None, Query()] = None,
) -> PanelList:
    with registry_reading() as repo:
        return panels.list_panels(repo, PanelQuery(build=build, population=population, available=available))

"""Routes of service health as recorded: one service's health and history, and the overview."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler.openapi.params import Query

from fip_core.http import answers, route_group
from registry.dal.unit_of_work import registry_reading
from registry.handlers.routes.common import HEALTH
from registry.handlers.wiring import utc_now
from registry.logic import health
from registry.models.common import ApiType
from registry.models.health import HealthHistory, HealthOverview, ServiceHealthReport

router = route_group()


@router.get(
    "/services/<service_id>/health",
    summary="A service's health and uptime",
    tags=[HEALTH],
    responses=answers(200, ServiceHealthReport, 404),
)
def service_health(service_id: UUID) -> ServiceHealthReport:
    with registry_reading() as repo:
        return health.service_health_report(repo, service_id, utc_now())


@router.get(
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
    with registry_reading() as repo:
        return health.health_history(repo, service_id, limit, before)


@router.get(
    "/service-health",
    summary="Which services are up, at a glance",
    tags=[HEALTH],
    responses=answers(200, HealthOverview),
)
def health_overview(api_type: Annotated[ApiType | None, Query()] = None) -> HealthOverview:
    with registry_reading() as repo:
        return health.health_overview(repo, utc_now(), api_type)

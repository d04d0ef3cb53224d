"""Routes of the dashboards: the caller's own figures; the platform's and the services' for admins (their
Access rules are the declaration's, checked before a route runs)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from fip_core.http import answers, current_principal, route_group
from monitoring.handlers.wiring import monitoring_adapters
from monitoring.logic import dashboards
from monitoring.models.dashboards import AtRiskServices, JobFigures, PlatformDashboard, ServicesDashboard

router = route_group()
# a week of hourly points per service: a month's would be 720 histograms a service per request (1.4 s for 20
# services in bench/monitoring_ingest.py), where uptime over 30 days is summed by the database anyway
MAX_HOURS = 168
DASHBOARDS = "Dashboards"
Days = Annotated[int, Query(ge=1, le=366, description="Days the series and percentiles cover, today (UTC) included.")]


@router.get(
    "/dashboard",
    summary="Your jobs: by status, success rate, turnaround and queue time, and day by day",
    tags=[DASHBOARDS],
    responses=answers(200, JobFigures, 422),
)
def own_dashboard(days: Days = 30) -> JobFigures:
    return dashboards.own_dashboard(monitoring_adapters(), current_principal(router).user_id, days)


@router.get(
    "/dashboard/platform",
    summary="Admins: every job of the platform, by service and by user",
    tags=[DASHBOARDS],
    responses=answers(200, PlatformDashboard, 403, 422),
)
def platform_dashboard(
    days: Days = 30,
    users: Annotated[int, Query(ge=1, le=1000, description="How many of the busiest users to list.")] = 100,
) -> PlatformDashboard:
    return dashboards.platform_dashboard(monitoring_adapters(), days, users)


@router.get(
    "/dashboard/services",
    summary="Admins: every service's uptime over 24 hours, 7 and 30 days, and response times hour by hour",
    tags=[DASHBOARDS],
    responses=answers(200, ServicesDashboard, 403, 422),
)
def services_dashboard(
    hours: Annotated[
        int,
        Query(
            ge=1,
            le=MAX_HOURS,
            description="Hours the series and response times cover, the current one included (at most a week: "
            "longer spans are in the uptime figures).",
        ),
    ] = 24,
) -> ServicesDashboard:
    return dashboards.services_dashboard(monitoring_adapters(), hours)


@router.get(
    "/dashboard/services/at-risk",
    summary="Admins: services unhealthy so long that they will be deactivated soon, and when",
    tags=[DASHBOARDS],
    responses=answers(200, AtRiskServices, 403),
)
def services_at_risk() -> AtRiskServices:
    return dashboards.services_at_risk(monitoring_adapters())

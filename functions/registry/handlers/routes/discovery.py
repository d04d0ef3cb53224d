"""The route that ranks the services able to take a job: what `auto` submission chooses from."""

from __future__ import annotations

import math
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from fip_core.http import answers, route_group
from fip_core.problems import FieldProblem, UnprocessableError
from registry.dal.unit_of_work import registry_reading
from registry.handlers.routes.common import SERVICES
from registry.handlers.wiring import utc_now
from registry.logic.discovery import discover
from registry.models.common import GenomeBuild
from registry.models.discovery import Coordinates, Discovery, DiscoveryRequest, PanelReference

router = route_group()
NEAR_FORMAT = "give it as 'latitude,longitude' in decimal degrees, e.g. near=-33.92,18.42"


@router.get(
    "/services/discover",
    summary="Rank the services that offer a panel on a build",
    description="Every active service with a panel of that name (as the services know it, e.g. "
    "`apps@1000g-phase-3-v5`, or a registry panel id) on that build, best first, each with a score from 0 to "
    "100 and its reasons: health (uptime over 24 hours), queue load, latency, distance from `near` and how the "
    "panel's name matched. Services that cannot take a job now (unhealthy, not yet checked, the panel "
    "unavailable) come last, with `ranked_out` saying why. Submit to a service with its `panel.slug`.",
    tags=[SERVICES],
    responses=answers(200, Discovery),
)
def discover_services(
    panel: Annotated[PanelReference, Query()],
    build: Annotated[GenomeBuild, Query()],
    near: Annotated[
        str | None, Query(max_length=64, description="Where the data is: 'latitude,longitude' in decimal degrees.")
    ] = None,
) -> Discovery:
    request = DiscoveryRequest(panel=panel, build=build, near=parse_near(near) if near is not None else None)
    return discover(registry_reading, request, utc_now())


def parse_near(text: str) -> Coordinates:
    """`lat,lon` as coordinates, or a 422 naming `query.near` and how to write it."""
    parts = text.split(",")
    try:
        latitude, longitude = (float(part) for part in parts) if len(parts) == 2 else (math.nan, math.nan)
    except ValueError:
        latitude = longitude = math.nan
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        raise _bad_near(f"'near' must be two numbers separated by a comma; {NEAR_FORMAT}")
    if not -90 <= latitude <= 90:
        raise _bad_near(f"the latitude must be between -90 and 90; {NEAR_FORMAT}")
    if not -180 <= longitude <= 180:
        raise _bad_near(f"the longitude must be between -180 and 180; {NEAR_FORMAT}")
    return Coordinates(latitude=latitude, longitude=longitude)


def _bad_near(message: str) -> UnprocessableError:
    return UnprocessableError(
        message, errors=[FieldProblem(location="query.near", message=message, type="value_error")]
    )

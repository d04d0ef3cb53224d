"""Routes that probe services over the network: a URL before it is saved, a service now. Apart from
the others so that only these load the outbound client and the probes."""

from __future__ import annotations

from uuid import UUID

from fip_core.http import answers, route_group
from registry.handlers.routes.common import HEALTH, SERVICES
from registry.handlers.wiring import health_adapters, health_policy
from registry.logic import health
from registry.models.health import ConnectionTest, ProbeOutcome, ServiceHealthReport

router = route_group()


@router.post(
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


@router.post(
    "/services/<service_id>/health-check",
    summary="Check a service now",
    tags=[HEALTH],
    responses=answers(200, ServiceHealthReport, 404),
)
def check_service_now(service_id: UUID) -> ServiceHealthReport:
    return health.check_now(health_adapters(), service_id, health_policy())

"""Routes that call services over the network: probe a URL before it is saved, check a service now,
sync its panels with what it offers. Apart from the others so that only these load the outbound
client and the probes."""

from __future__ import annotations

from uuid import UUID

from fip_core.http import answers, route_group
from registry.dal.repository import RegistryRepository
from registry.dal.unit_of_work import registry_repository
from registry.handlers.routes.common import HEALTH, PANELS, SERVICES, audit
from registry.handlers.wiring import catalogue_reader, health_adapters, health_policy, utc_now
from registry.logic import health, panel_sync
from registry.models.health import ConnectionTest, ProbeOutcome, ServiceHealthReport
from registry.models.panels import PanelSyncReport, PanelSyncRequest

router = route_group()
AUDITED_SLUGS = 100  # the audit record names this many panels of each kind, and counts them all


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


@router.post(
    "/services/<service_id>/panels/sync",
    summary="Bring a service's panels in line with what it offers",
    description="A Cloudgene server's reference panels are read from its app list (`GET /api/v2/server/apps`) "
    "with `token`, the API token of one of its admins, used for this request only and never stored: panels it "
    "offers that the registry lacks are added, differing ones updated, and registered ones it no longer offers "
    "marked unavailable (never deleted). A WES node declares workflow languages, not panels: its service-info "
    "is read and reported, and no panel changes. The answer says what changed; the sync is audited.",
    tags=[PANELS],
    responses=answers(200, PanelSyncReport, 404, 502),
)
def sync_panels(service_id: UUID, body: PanelSyncRequest) -> PanelSyncReport:
    def audit_sync(repo: RegistryRepository, report: PanelSyncReport) -> None:
        details = {
            "source": report.source,
            "added": [panel.slug for panel in report.added][:AUDITED_SLUGS],
            "updated": [change.slug for change in report.updated][:AUDITED_SLUGS],
            "marked_unavailable": [change.slug for change in report.marked_unavailable][:AUDITED_SLUGS],
            "counts": {
                "added": len(report.added), "updated": len(report.updated),
                "marked_unavailable": len(report.marked_unavailable), "skipped": len(report.skipped),
            },
        }  # fmt: skip
        audit(router, repo, "panels_synced", "service", service_id, details)

    return panel_sync.sync_panels(
        registry_repository, catalogue_reader(), utc_now, service_id, body, audit_sync,
        health_policy().check_timeout_seconds,
    )  # fmt: skip

"""Bringing a service's reference panels in line with what the service itself says it offers.

A Cloudgene server's panels are read from its app list with an admin's token; a panel it offers and
the registry lacks is added, one whose name, build, populations, sample count or availability
differ is updated, and one it no longer offers is marked unavailable, never deleted (jobs and their
history name it). Cloudgene takes a panel as `apps@<id>` or `<id>`: a registered panel under either
name is the same panel. A WES node declares workflow languages, not panels: its sync reports them
and changes no panel. The service is read, then asked (outside any transaction), then the changes
are planned and written in one transaction against the panels as they are by then.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from typing import Any
from uuid import UUID

from fip_core.outbound.loop import run as run_outbound
from fip_core.problems import DomainError, FieldProblem, UnprocessableError
from registry.dal.repository import RegistryRepository
from registry.domain import Catalogue, CatalogueError, PanelRecord
from registry.logic.api_models import reference_panel
from registry.logic.ports import CatalogueReader, Clock, Transaction
from registry.logic.services import existing_service
from registry.models.common import ApiType
from registry.models.panels import (
    PanelChange,
    PanelCreate,
    PanelQuery,
    PanelSyncReport,
    PanelSyncRequest,
    ReferencePanel,
    SkippedPanel,
    panel_names,
)

COMPARED = ("display_name", "build", "populations", "sample_count", "is_available")
CLOUDGENE_SOURCE = "Cloudgene app list (GET /api/v2/server/apps)"
WES_SOURCE = "WES service-info (workflow_type_versions)"

Audit = Callable[[RegistryRepository, PanelSyncReport], None]


class BadGatewayError(DomainError):
    """The service did not say what it offers in a way the registry can read."""

    status = HTTPStatus.BAD_GATEWAY
    title = "Bad gateway"


@dataclass(frozen=True)
class SyncPlan:
    """What a sync changes: panels to add, changes to registered panels the service still offers (by
    id), registered panels it no longer offers (to mark unavailable), and the slugs left as they are."""

    add: list[PanelCreate] = field(default_factory=list)
    update: dict[str, dict[str, Any]] = field(default_factory=dict)
    withdraw: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def plan(existing: Sequence[PanelRecord], offered: Sequence[PanelCreate]) -> SyncPlan:
    """The changes that make the registered panels what the service offers."""
    result = SyncPlan()
    matched: set[str] = set()
    for panel in offered:
        found = _registered(existing, panel.slug, matched)
        if found is None:
            result.add.append(panel)
            continue
        matched.add(found.id)
        wanted = panel.model_dump(mode="json", include=set(COMPARED))
        if panel.sample_count is None:
            wanted.pop("sample_count")  # the server does not count them: keep what an admin entered
        changes = {name: value for name, value in wanted.items() if getattr(found, name) != value}
        if changes:
            result.update[found.id] = changes
        else:
            result.unchanged.append(found.slug)
    for registered in existing:
        if registered.id in matched:
            continue
        if registered.is_available:
            result.withdraw.append(registered.id)
        else:
            result.unchanged.append(registered.slug)
    return result


def _registered(existing: Sequence[PanelRecord], slug: str, taken: set[str]) -> PanelRecord | None:
    """The registered panel the service's `slug` names: under that slug, else under Cloudgene's other form."""
    free = [panel for panel in existing if panel.id not in taken]
    exact = next((panel for panel in free if panel.slug == slug), None)
    return exact or next((panel for panel in free if panel.slug in panel_names(slug)), None)


def sync_panels(
    transaction: Transaction,
    reader: CatalogueReader,
    clock: Clock,
    service_id: UUID,
    request: PanelSyncRequest,
    audit: Audit,
    timeout_seconds: float,
) -> PanelSyncReport:
    """Read what the service offers and bring its panels in line, audited in the same transaction."""
    with transaction() as repo:
        service = existing_service(repo, service_id)
    if service.api_type is ApiType.MICHIGAN and request.token is None:
        raise _token_problem("a Cloudgene server's panels are read with the API token of one of its admins: give it")
    if service.api_type is ApiType.GA4GH_WES and request.token is not None:
        raise _token_problem("a WES node's service-info is read without a token: leave it out")
    catalogue = _read(reader, service.api_type, service.base_url, request.token, timeout_seconds)
    with transaction() as repo:
        existing_service(repo, service_id)  # deleted meanwhile: nothing to sync
        existing = repo.panels.find(PanelQuery(service_id=service_id))
        if service.api_type is ApiType.MICHIGAN:
            report = _apply(repo, service_id, existing, catalogue, clock())
        else:
            report = _report(service_id, WES_SOURCE, catalogue, unchanged=[panel.slug for panel in existing])
        audit(repo, report)
    return report


def _read(
    reader: CatalogueReader, api_type: ApiType, base_url: str, token: str | None, timeout_seconds: float
) -> Catalogue:
    async def read() -> Catalogue:
        async with asyncio.timeout(timeout_seconds):
            if token is not None:
                return await reader.cloudgene_panels(base_url, token)
            return await reader.wes_workflows(base_url)

    try:
        return run_outbound(read())
    except TimeoutError:
        raise BadGatewayError("the service did not answer in time (timed out); try again later") from None
    except CatalogueError as error:
        if error.http_status == HTTPStatus.UNAUTHORIZED:
            raise _token_problem("the server refused this token (HTTP 401): give a valid API token") from None
        if error.http_status == HTTPStatus.FORBIDDEN:
            raise _token_problem(
                "the token's user is not an admin of that server (HTTP 403): give an admin's"
            ) from None
        raise BadGatewayError(f"what the service offers could not be read ({error.kind}); try again later") from None


def _apply(
    repo: RegistryRepository, service_id: UUID, existing: list[PanelRecord], catalogue: Catalogue, now: datetime
) -> PanelSyncReport:
    changes = plan(existing, catalogue.panels)
    by_id = {panel.id: panel for panel in existing}
    added = [reference_panel(repo.panels.add(str(service_id), panel, now)) for panel in changes.add]
    updated, withdrawn = [], []
    for panel_id, fields in changes.update.items():
        repo.panels.update(str(service_id), panel_id, fields, now)
        updated.append(PanelChange(id=UUID(panel_id), slug=by_id[panel_id].slug, fields=sorted(fields)))
    for panel_id in changes.withdraw:
        repo.panels.update(str(service_id), panel_id, {"is_available": False}, now)
        withdrawn.append(PanelChange(id=UUID(panel_id), slug=by_id[panel_id].slug, fields=["is_available"]))
    return _report(
        service_id, CLOUDGENE_SOURCE, catalogue, added=added, updated=updated, withdrawn=withdrawn,
        unchanged=changes.unchanged,
    )  # fmt: skip


def _report(
    service_id: UUID,
    source: str,
    catalogue: Catalogue,
    *,
    unchanged: list[str],
    added: list[ReferencePanel] | None = None,
    updated: list[PanelChange] | None = None,
    withdrawn: list[PanelChange] | None = None,
) -> PanelSyncReport:
    return PanelSyncReport(
        service_id=service_id,
        source=source,
        added=added or [],
        updated=updated or [],
        marked_unavailable=withdrawn or [],
        unchanged=unchanged,
        skipped=[SkippedPanel(name=name, reason=reason) for name, reason in catalogue.skipped],
        workflow_type_versions=catalogue.workflow_type_versions,
        workflow_engine_versions=catalogue.workflow_engine_versions,
    )


def _token_problem(message: str) -> UnprocessableError:
    return UnprocessableError(
        message, errors=[FieldProblem(location="body.token", message=message, type="value_error")]
    )

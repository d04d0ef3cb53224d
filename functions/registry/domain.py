"""The registry's domain objects: what data access hands to the logic, and the logic maps to the
API's models. Plain frozen dataclasses, independent of tables and of the API's shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from fip_core.wes_workflow import WesWorkflow
from registry.models.common import ApiType, GenomeBuild, HealthStatus
from registry.models.health import ProbeDetails, ProbeOutcome
from registry.models.panels import PanelCreate


@dataclass(frozen=True)
class HealthState:
    """Where a service's health stands after its last check."""

    status: HealthStatus
    response_time_ms: float | None = None
    last_checked_at: datetime | None = None
    next_check_at: datetime | None = None
    consecutive_failures: int = 0
    last_error: str | None = None
    unhealthy_since: datetime | None = None
    queue_load: int | None = None  # jobs queued and running there, as the last healthy probe reported


@dataclass(frozen=True)
class ServiceRecord:
    """A registered imputation service, with what its last healthy probe said about it."""

    id: str
    slug: str
    name: str
    api_type: ApiType
    base_url: str
    description: str
    institution: str | None
    institution_url: str | None
    documentation_url: str | None
    contact_url: str | None
    country: str | None
    city: str | None
    latitude: float | None
    longitude: float | None
    supported_builds: list[GenomeBuild]
    max_upload_size_mb: int | None
    requires_user_token: bool
    is_active: bool
    deactivated_reason: str | None
    created_at: datetime
    updated_at: datetime
    health: HealthState
    probe_details: ProbeDetails | None = None
    workflow: WesWorkflow | None = None  # what a WES service runs for a job; None: it takes no jobs


@dataclass(frozen=True)
class ServiceMatches:
    """One page of the services a query selects, and how many it selects in all."""

    items: list[ServiceRecord]
    total: int


@dataclass(frozen=True)
class PanelRecord:
    """A reference panel of one service."""

    id: str
    service_id: str
    slug: str
    display_name: str
    build: GenomeBuild
    populations: list[str]
    sample_count: int | None
    is_available: bool
    description: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class CheckTarget:
    """A service to probe: what the sweep needs and nothing more."""

    service_id: str
    slug: str
    name: str
    api_type: ApiType
    base_url: str
    health: HealthState


@dataclass(frozen=True)
class CheckResult:
    """A finished check of a target and the health it leaves the service in."""

    target: CheckTarget
    checked_at: datetime
    outcome: ProbeOutcome
    health: HealthState


@dataclass(frozen=True)
class PastCheck:
    """One check in a service's history."""

    checked_at: datetime
    status: HealthStatus
    response_time_ms: float | None
    http_status: int | None
    error: str | None
    checked_url: str


@dataclass(frozen=True)
class UptimeShares:
    """Percent of checks that found a service healthy over 24 hours, 7 and 30 days (None: no checks)."""

    last_24h: float | None = None
    last_7d: float | None = None
    last_30d: float | None = None


@dataclass(frozen=True)
class RecordedChecks:
    """What recording a sweep's checks did: the results kept, and those dropped because their
    service was deleted or given another URL or API type while it was being checked."""

    kept: list[CheckResult] = field(default_factory=list)
    dropped: list[CheckResult] = field(default_factory=list)


@dataclass(frozen=True)
class Catalogue:
    """What a service says it offers: its panels (none for WES), the ones left out and why, and a WES
    node's workflow languages and engines."""

    panels: list[PanelCreate] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (the app's id, why)
    workflow_type_versions: dict[str, list[str]] | None = None
    workflow_engine_versions: dict[str, list[str]] | None = None


class CatalogueError(Exception):
    """A service's offer could not be read: `kind` in a few fixed words, `http_status` if it answered."""

    def __init__(self, kind: str, http_status: int | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.http_status = http_status


@dataclass(frozen=True)
class ResidencyPolicy:
    """Where the platform lets genotype data go: the countries and the services (ids) allowed, an empty
    tuple leaving that axis unrestricted; `updated_at` None when no administrator has set it."""

    allowed_countries: tuple[str, ...] = ()
    allowed_services: tuple[str, ...] = ()
    updated_at: datetime | None = None
    updated_by: str | None = None

"""Health checks: one probe's outcome, the history of checks and uptime."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from registry.models.common import ApiType, BaseUrl, HealthStatus, ProbeError
from registry.models.services import ServiceHealth


def remote_text(limit: int) -> Callable[[Any], Any]:
    """A cleaner of text a remote service sent: what cannot be shown removed, cut to the limit."""

    def clean(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        kept = "".join(c for c in value if unicodedata.category(c) not in _UNSHOWABLE)
        return kept.strip()[:limit]

    return clean


# Strings a remote service sent: control and format characters and lone surrogates removed, cut to
# the limit, so that they show as what they are wherever they are displayed.
_UNSHOWABLE = frozenset({"Cc", "Cf", "Cs", "Co"})
RemoteName = Annotated[str, BeforeValidator(remote_text(200)), Field(max_length=200)]
RemoteWord = Annotated[str, BeforeValidator(remote_text(64)), Field(max_length=64)]
Count = Annotated[int, Field(ge=0, le=1_000_000_000)]
Versions = Annotated[list[RemoteWord], Field(max_length=20)]
WES_BUSY_STATES = ("QUEUED", "INITIALIZING", "RUNNING", "PAUSED")


class CloudgeneDetails(BaseModel):
    """What a Cloudgene server says about itself in `GET /api/v2/server` (and its queue, from
    `GET /api/v2/server/counters`, asked beside it at every check)."""

    api_type: Literal[ApiType.MICHIGAN] = ApiType.MICHIGAN
    name: RemoteName | None = Field(default=None, description="The server's name.")
    maintenance: bool = Field(description="Whether the server is in maintenance mode (it then accepts no jobs).")
    queue_size: Count | None = Field(
        default=None, description="Jobs queued and running on the server (`queue.size`), if its counters answered."
    )

    @property
    def queue_load(self) -> int | None:
        """How busy the server is: the jobs in its queue (cloudgene3 `WorkflowEngine.getSize`, the
        long-time queue, which holds waiting and running jobs alike)."""
        return self.queue_size


class WesDetails(BaseModel):
    """What a GA4GH WES node says about itself in `GET /service-info`."""

    api_type: Literal[ApiType.GA4GH_WES] = ApiType.GA4GH_WES
    api_url: str = Field(max_length=2100, description="The WES API root the service-info was found under.")
    id: RemoteName | None = None
    name: RemoteName | None = None
    version: RemoteWord | None = None
    supported_wes_versions: Versions = Field(default_factory=list)
    workflow_type_versions: Annotated[dict[RemoteWord, Versions], Field(max_length=20)] = Field(
        default_factory=dict, description="Workflow languages and their versions, e.g. {'CWL': ['v1.2']}."
    )
    workflow_engine_versions: Annotated[dict[RemoteWord, Versions], Field(max_length=20)] = Field(
        default_factory=dict, description="Workflow engines and their versions, e.g. {'cwltool': ['3.1']}."
    )
    system_state_counts: Annotated[dict[RemoteWord, Count], Field(max_length=20)] = Field(
        default_factory=dict, description="Runs in each state: the node's load."
    )
    auth_instructions_url: str | None = Field(
        default=None, max_length=2048, description="Where the node explains how to get credentials."
    )

    @property
    def queue_load(self) -> int | None:
        """How busy the node is: its runs waiting or running (WES `State`s QUEUED, INITIALIZING,
        RUNNING, PAUSED); None when it reports no counts (the spec requires them, not every node sends them)."""
        if not self.system_state_counts:
            return None
        return sum(self.system_state_counts.get(state, 0) for state in WES_BUSY_STATES)


ProbeDetails = Annotated[CloudgeneDetails | WesDetails, Field(discriminator="api_type")]


class ProbeOutcome(BaseModel):
    """What probing a service once found: fixed fields, never the service's own words beyond the
    few bounded ones in `details`."""

    status: HealthStatus = Field(description="healthy or unhealthy; a probe never answers unknown.")
    response_time_ms: float | None = Field(default=None, description="Until the answer was read; none if no answer.")
    checked_url: str = Field(max_length=2100, description="The URL that was asked last.")
    http_status: int | None = Field(default=None, ge=100, le=599, description="The status of that answer, if any.")
    error: ProbeError | None = None
    details: ProbeDetails | None = Field(default=None, description="What a healthy service said about itself.")


class ConnectionTest(BaseModel):
    """A URL and API type to probe before registering a service."""

    model_config = ConfigDict(extra="forbid")

    base_url: BaseUrl
    api_type: ApiType


class HealthCheck(BaseModel):
    """One past check of a service."""

    checked_at: datetime
    status: HealthStatus
    response_time_ms: float | None
    http_status: int | None
    error: ProbeError | None
    checked_url: str


class HealthHistory(BaseModel):
    """Past checks, newest first."""

    service_id: UUID
    items: list[HealthCheck]


class Uptime(BaseModel):
    """Share of checks that found the service healthy, in percent; null where nothing was checked."""

    last_24h: float | None
    last_7d: float | None
    last_30d: float | None


class ServiceHealthReport(BaseModel):
    """A service's current health with its uptime."""

    service_id: UUID
    slug: str
    name: str
    is_active: bool
    health: ServiceHealth
    uptime: Uptime


class HealthOverview(BaseModel):
    """Which services are up, at a glance."""

    counts: dict[HealthStatus, int]
    services: list[ServiceHealthReport]


class SweepReport(BaseModel):
    """What one scheduled sweep did."""

    checked: int
    healthy: int
    unhealthy: int
    status_changes: int
    discarded: int = Field(
        default=0, description="Checks not recorded: their service was deleted, or given another URL, meanwhile."
    )
    deactivated: int
    at_risk: int = Field(default=0, description="Services warned about (ServiceAtRisk): deactivation is near.")
    events_queued: int = Field(description="Events the sweep queued; they go out as its results commit.")
    wall_seconds: float

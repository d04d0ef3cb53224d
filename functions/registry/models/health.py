"""Health checks: one probe's outcome, the history of checks and uptime."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from registry.models.common import ApiType, BaseUrl, HealthStatus
from registry.models.services import ServiceHealth


class ProbeOutcome(BaseModel):
    """What probing a service once found."""

    status: HealthStatus = Field(description="healthy or unhealthy; a probe never answers unknown.")
    response_time_ms: float | None = Field(default=None, description="Until the answer was read; none if no answer.")
    checked_url: str = Field(description="The URL that was asked last.")
    http_status: int | None = None
    error: str | None = Field(default=None, description="Why the service is unhealthy.")
    details: dict[str, Any] = Field(default_factory=dict, description="What the service said about itself.")


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
    error: str | None
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
    deactivated: int
    events_published: int
    wall_seconds: float

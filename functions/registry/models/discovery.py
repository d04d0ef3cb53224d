"""Discovery: which services can take a job on a panel and build, ranked, with the reasons."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictFloat

from registry.models.common import ApiType, GenomeBuild, HealthStatus
from registry.models.panels import SLUG_MAX, SLUG_PATTERN

PanelReference = Annotated[
    str,
    Field(
        min_length=1,
        max_length=SLUG_MAX,
        pattern=SLUG_PATTERN,
        description="The panel's name as the services know it ('apps@1000g-phase-3-v5', 'topmed-r3'), or a "
        "registry panel id.",
    ),
]


class Coordinates(BaseModel):
    """A point on Earth, in decimal degrees (WGS 84)."""

    model_config = ConfigDict(extra="forbid")

    latitude: Annotated[StrictFloat, Field(ge=-90, le=90)]
    longitude: Annotated[StrictFloat, Field(ge=-180, le=180)]


class DiscoveryRequest(BaseModel):
    """What a job needs of a service: a panel on a build, and optionally where the data is."""

    model_config = ConfigDict(extra="forbid")

    panel: PanelReference
    build: GenomeBuild
    near: Coordinates | None = None


class Factor(StrEnum):
    """What a service's score weighs."""

    HEALTH = "health"
    QUEUE_LOAD = "queue_load"
    LATENCY = "latency"
    DISTANCE = "distance"
    PANEL_MATCH = "panel_match"


class ScoreReason(BaseModel):
    """One factor of a score: how well the service does on it (0 to 1), how much it weighs, and why."""

    factor: Factor
    value: float = Field(ge=0, le=1, description="1 is best.")
    weight: float = Field(ge=0, le=1, description="Its share of the score; 0 when it does not apply.")
    detail: str


class OfferedPanel(BaseModel):
    """The service's own panel that matched: submit with its `slug` (or `id`) there."""

    id: UUID
    slug: str
    build: GenomeBuild
    populations: list[str]
    available: bool


class RankedService(BaseModel):
    """A service that offers the panel on the build: its place, score and why, or why it is ranked out."""

    rank: int | None = Field(description="1 is the best choice; null when ranked out.")
    service_id: UUID
    slug: str
    name: str
    api_type: ApiType
    country: str | None
    score: float | None = Field(ge=0, le=100, description="0 to 100; null when ranked out.")
    ranked_out: str | None = Field(description="Why the service cannot take the job now; null when it can.")
    reasons: list[ScoreReason]
    panel: OfferedPanel
    health: HealthStatus
    queue_load: int | None
    response_time_ms: float | None
    distance_km: float | None


class Discovery(BaseModel):
    """The services that offer a panel on a build, best first; those that cannot take a job now last."""

    panel: str
    build: GenomeBuild
    near: Coordinates | None
    services: list[RankedService]

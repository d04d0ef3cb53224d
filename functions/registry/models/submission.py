"""What the jobs domain asks the internal `submission` function, and what it answers."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from fip_core.wes_workflow import WesWorkflow
from registry.models.common import ApiType, GenomeBuild, HealthStatus


class SubmissionRequest(BaseModel):
    """The service a job is about to be submitted to."""

    model_config = ConfigDict(extra="forbid")

    service_id: UUID


class SubmissionPanel(BaseModel):
    """A reference panel of the service, as a submission names and checks it."""

    id: UUID
    slug: str = Field(description="The panel's name as the service knows it (`apps@1000g-phase-3-v5`).")
    build: GenomeBuild
    populations: list[str]
    available: bool


class Residency(BaseModel):
    """The platform's residency policy as a job checks it: an empty list leaves that axis unrestricted."""

    allowed_countries: list[str]
    allowed_services: list[str]


class SubmissionService(BaseModel):
    """What a job needs to know of its service before it is submitted there."""

    id: UUID
    name: str
    api_type: ApiType
    base_url: str
    active: bool
    deactivated_reason: str | None
    health_status: HealthStatus
    requires_user_token: bool
    supported_builds: list[GenomeBuild]
    panels: list[SubmissionPanel]
    api_url: str = Field(
        description="Where the service's API is: a WES node's root as its last check found it (with or without "
        "`/ga4gh/wes/v1`), Cloudgene's `/api/v2`."
    )
    workflow: WesWorkflow | None = Field(description="The workflow a WES service runs; null: it takes no jobs.")
    country: str | None = Field(description="Where the service runs (ISO 3166-1 alpha-2); null: not recorded.")
    residency: Residency = Field(description="The platform's residency policy, read with the service.")

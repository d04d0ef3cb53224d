"""Imputation services: what an admin registers and what everybody reads."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, model_validator

from fip_core.countries import CountryCode
from fip_core.fields import SingleLineText, single_line
from fip_core.wes_workflow import WesWorkflow
from registry.models.common import (
    ApiType,
    BaseUrl,
    GenomeBuild,
    HealthStatus,
    Name,
    ProbeError,
    Slug,
    Text,
    WebUrl,
    check_changes,
    check_unique,
)


class Location(BaseModel):
    """Where a service runs: shown on maps, used to route jobs close to the data, and its country is what a
    residency policy's countries are matched against (a service without one never passes a country rule)."""

    model_config = ConfigDict(extra="forbid")

    country: CountryCode | None = None
    city: Annotated[SingleLineText, Field(max_length=200)] | None = None
    latitude: Annotated[StrictFloat, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[StrictFloat, Field(ge=-180, le=180)] | None = None

    @model_validator(mode="after")
    def _coordinates_together(self) -> Location:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("give latitude and longitude together, or neither")
        return self


class ServiceLocation(BaseModel):
    """Where a service runs, as the API shows it."""

    country: str | None = Field(
        description="ISO 3166-1 alpha-2 code; null: not recorded, and then no residency policy naming countries "
        "lets data go to the service."
    )
    city: str | None
    latitude: float | None
    longitude: float | None


Builds = Annotated[list[GenomeBuild], Field(min_length=1, max_length=2)]


class ServiceFields(BaseModel):
    """Fields an admin sets on a service; shared by create and update."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    api_type: ApiType | None = None
    base_url: BaseUrl | None = None
    description: Text | None = None
    institution: Annotated[SingleLineText, Field(max_length=200)] | None = None
    institution_url: WebUrl | None = None
    documentation_url: WebUrl | None = None
    contact_url: (
        Annotated[str, Field(max_length=500, pattern=r"^(https?://|mailto:)\S+$"), AfterValidator(single_line)] | None
    ) = None
    location: Location | None = None
    supported_builds: Builds | None = None
    max_upload_size_mb: Annotated[StrictInt, Field(ge=1, le=1_000_000)] | None = None
    requires_user_token: StrictBool | None = None
    is_active: StrictBool | None = None
    workflow: WesWorkflow | None = Field(
        default=None,
        description="For a `ga4gh_wes` service: the workflow its runs execute and how their parameters are "
        "filled from a job. A WES service without one takes no jobs. A `michigan` service has none.",
    )

    @model_validator(mode="after")
    def _builds_unique(self) -> ServiceFields:
        check_unique(self.supported_builds, "build")
        return self


class ServiceCreate(ServiceFields):
    """A new imputation service."""

    name: Name
    slug: Slug
    api_type: ApiType
    base_url: BaseUrl
    description: Text = ""
    location: Location = Field(default_factory=Location)
    supported_builds: Builds = Field(default_factory=lambda: [GenomeBuild.HG19, GenomeBuild.HG38])
    requires_user_token: StrictBool = False
    is_active: StrictBool = True

    @model_validator(mode="after")
    def _workflow_for_wes(self) -> ServiceCreate:
        check_workflow(self.api_type, self.workflow)
        return self


def check_workflow(api_type: ApiType, workflow: WesWorkflow | None) -> None:
    """Only a WES service runs a workflow."""
    if workflow is not None and api_type is not ApiType.GA4GH_WES:
        raise ValueError(
            f"workflow: a {api_type.value} service runs no WES workflow; leave workflow out (or null), or "
            "register the service as ga4gh_wes"
        )


class ServiceUpdate(ServiceFields):
    """Changes to a service; only the fields given are changed."""

    @model_validator(mode="after")
    def _something_to_change(self) -> ServiceUpdate:
        check_changes(self, ("name", "api_type", "base_url", "description", "location", "supported_builds"))
        return self


class ServiceHealth(BaseModel):
    """The current health of a service, as the last check left it."""

    status: HealthStatus
    response_time_ms: float | None = None
    last_checked_at: datetime | None = None
    next_check_at: datetime | None = None
    consecutive_failures: int = 0
    last_error: ProbeError | None = None
    unhealthy_since: datetime | None = None
    queue_load: int | None = Field(
        default=None,
        description="Jobs queued and running on the service as its last healthy check reported (a Cloudgene "
        "server's queue size, a WES node's QUEUED, INITIALIZING, RUNNING and PAUSED runs); null if unknown.",
    )


class ImputationService(BaseModel):
    """A registered imputation service."""

    id: UUID
    slug: str
    name: str
    api_type: ApiType
    base_url: str
    description: str
    institution: str | None
    institution_url: str | None
    documentation_url: str | None
    contact_url: str | None
    location: ServiceLocation
    supported_builds: list[GenomeBuild]
    max_upload_size_mb: int | None
    requires_user_token: bool
    is_active: bool
    deactivated_reason: str | None
    created_at: datetime
    updated_at: datetime
    health: ServiceHealth
    workflow: WesWorkflow | None = Field(
        description="The workflow a WES service runs for a job (null: it takes no jobs; always null for michigan)."
    )


class ServiceQuery(BaseModel):
    """Filters and paging of the service list."""

    q: str | None = None
    api_type: ApiType | None = None
    is_active: bool | None = None
    health: HealthStatus | None = None
    build: GenomeBuild | None = None
    country: str | None = None
    limit: int = 50
    offset: int = 0


class ServicePage(BaseModel):
    """One page of services."""

    items: list[ImputationService]
    total: int = Field(description="How many services match the filters in all.")
    limit: int
    offset: int

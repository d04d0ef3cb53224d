"""Reference panels: the panels each service offers, named as the service knows them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, model_validator

from fip_core.fields import SingleLineText
from registry.models.common import GenomeBuild, Name, Text, check_changes, check_unique

SLUG_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9@._:+-]*$"  # a panel's name as services know it (discovery's too)
SLUG_MAX = 200
CLOUDGENE_APP_PREFIX = "apps@"  # Cloudgene takes a panel app as `apps@<id>` or as `<id>`

PanelSlug = Annotated[
    str,
    Field(
        min_length=1,
        max_length=SLUG_MAX,
        pattern=SLUG_PATTERN,
        description="The panel's id on the service, e.g. 'apps@h3africa-v6hc-s@1.0.0' or 'topmed-r3'.",
    ),
]


def panel_names(reference: str) -> set[str]:
    """The names a Cloudgene server accepts for the same panel: `apps@<id>` and `<id>`."""
    bare = reference.removeprefix(CLOUDGENE_APP_PREFIX)
    return {reference, bare, f"{CLOUDGENE_APP_PREFIX}{bare}"}


Population = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
Populations = Annotated[list[Population], Field(max_length=100)]


class PanelFields(BaseModel):
    """Fields of a panel an admin sets; shared by create and update."""

    model_config = ConfigDict(extra="forbid")

    display_name: Name | None = None
    build: GenomeBuild | None = None
    populations: Populations | None = None
    sample_count: Annotated[StrictInt, Field(ge=0, le=100_000_000)] | None = None
    is_available: StrictBool | None = None
    description: Text | None = None

    @model_validator(mode="after")
    def _populations_unique(self) -> PanelFields:
        check_unique(self.populations, "population")
        return self


class PanelCreate(PanelFields):
    """A new reference panel of a service."""

    slug: PanelSlug
    display_name: Name
    build: GenomeBuild
    populations: Populations = Field(default_factory=list)
    is_available: StrictBool = True
    description: Text = ""


class PanelUpdate(PanelFields):
    """Changes to a panel; only the fields given are changed."""

    @model_validator(mode="after")
    def _something_to_change(self) -> PanelUpdate:
        check_changes(self, ("display_name", "build", "populations", "is_available", "description"))
        return self


class ReferencePanel(BaseModel):
    """A reference panel offered by one service."""

    id: UUID
    service_id: UUID
    slug: str
    display_name: str
    build: GenomeBuild
    populations: list[str]
    sample_count: int | None
    is_available: bool
    description: str
    created_at: datetime
    updated_at: datetime


class PanelQuery(BaseModel):
    """Filters of the panel list across services."""

    build: GenomeBuild | None = None
    population: str | None = None
    service_id: UUID | None = None
    available: bool | None = None


class PanelList(BaseModel):
    """Panels, oldest first."""

    items: list[ReferencePanel]


class PanelSyncRequest(BaseModel):
    """What a panel sync needs: for a Cloudgene server, the API token of one of its admins (used for this
    one request, never stored or logged); a WES node needs none."""

    model_config = ConfigDict(extra="forbid")

    token: Annotated[SingleLineText, Field(min_length=1, max_length=4096)] | None = Field(
        default=None, description="A Cloudgene admin's API token (X-Auth-Token); not for WES nodes."
    )


class PanelChange(BaseModel):
    """A panel the sync changed, and which of its fields."""

    id: UUID
    slug: str
    fields: list[str]


class SkippedPanel(BaseModel):
    """A panel the service offers that the registry could not take, and why."""

    name: str
    reason: str


class PanelSyncReport(BaseModel):
    """What a panel sync found and changed. Panels the service no longer offers are marked unavailable,
    never deleted: jobs and history name them."""

    service_id: UUID
    source: str = Field(description="Where the offer was read: the Cloudgene app list, or WES service-info.")
    added: list[ReferencePanel]
    updated: list[PanelChange]
    marked_unavailable: list[PanelChange]
    unchanged: list[str] = Field(description="Slugs of the panels already as the service describes them.")
    skipped: list[SkippedPanel]
    workflow_type_versions: dict[str, list[str]] | None = Field(
        default=None, description="A WES node's declared workflow languages and versions (WES declares no panels)."
    )
    workflow_engine_versions: dict[str, list[str]] | None = None

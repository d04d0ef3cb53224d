"""The platform's residency policy: the countries and services genotype data may be sent to."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fip_core.countries import CountryCode
from registry.models.common import check_unique

MAX_RULES = 300  # more than the 249 countries there are; a service list this long restricts little


class ResidencyRules(BaseModel):
    """Where jobs may send users' files: an empty list leaves that axis unrestricted."""

    model_config = ConfigDict(extra="forbid")

    allowed_countries: Annotated[list[CountryCode], Field(max_length=MAX_RULES)] = Field(
        description="ISO 3166-1 alpha-2 codes of the countries a job's files may go to (a service's "
        "`location.country`); a service with no country recorded never passes a non-empty list. Empty: any country.",
        examples=[["ZA", "NG"]],
    )
    allowed_services: Annotated[list[UUID], Field(max_length=MAX_RULES)] = Field(
        description="Ids of the registered services a job's files may go to. Empty: any service.",
    )

    @model_validator(mode="after")
    def _each_once(self) -> ResidencyRules:
        check_unique(self.allowed_countries, "country")
        check_unique(self.allowed_services, "service")
        return self


class ResidencyPolicy(ResidencyRules):
    """The platform's residency policy as it stands; a user narrows it per file, never widens it."""

    model_config = ConfigDict(extra="ignore")

    updated_at: datetime | None = Field(description="When an administrator last set it; null: never set.")
    updated_by: str | None = Field(description="The administrator who last set it.")

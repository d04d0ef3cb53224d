"""Where genotype data may go: the rules the platform's residency policy (the registry's) and each file's
narrowing of it (the files domain's) are written in; the jobs domain holds every job to both."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fip_core.countries import CountryCode

MAX_RULES = 300  # more than the 249 countries there are; a service list this long restricts little


class ResidencyRules(BaseModel):
    """The countries and services data may be sent to: an empty list leaves that axis unrestricted."""

    model_config = ConfigDict(extra="forbid")

    allowed_countries: Annotated[list[CountryCode], Field(max_length=MAX_RULES)] = Field(
        description="ISO 3166-1 alpha-2 codes of the countries the data may go to (a service's "
        "`location.country`); a service with no country recorded never passes a non-empty list. Empty: any country.",
        examples=[["ZA", "NG"]],
    )
    allowed_services: Annotated[list[UUID], Field(max_length=MAX_RULES)] = Field(
        description="Ids of the registered services the data may go to. Empty: any service.",
    )

    @model_validator(mode="after")
    def _each_once(self) -> ResidencyRules:
        each_once(self.allowed_countries, self.allowed_services)
        return self


def each_once(countries: list[str], services: list[UUID]) -> None:
    """Each country and each service listed once (ValueError, for a model's validator, if not)."""
    for values, what in ((countries, "country"), (services, "service")):
        if len(set(values)) != len(values):
            raise ValueError(f"list each {what} once")

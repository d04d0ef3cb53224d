"""The platform's residency policy: the countries and services genotype data may be sent to."""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict, Field

from fip_core.residency import ResidencyRules


class ResidencyPolicy(ResidencyRules):
    """The platform's residency policy as it stands; a user narrows it per file, never widens it."""

    model_config = ConfigDict(extra="ignore")

    updated_at: datetime | None = Field(description="When an administrator last set it; null: never set.")
    updated_by: str | None = Field(description="The administrator who last set it.")

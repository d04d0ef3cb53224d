"""Profiles of users, and the user list admins see."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fip_core.countries import CountryCode
from fip_core.fields import SingleLineText
from users.domain import UserStatus
from users.models.roles import RoleGrant

ProfileText = Annotated[SingleLineText, Field(min_length=1, max_length=200)]
Country = CountryCode  # checked against ISO 3166-1's list, as the residency rules' countries are


class ProfileUpdate(BaseModel):
    """Changes to one's own profile; only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    name: ProfileText | None = None
    institution: ProfileText | None = None
    department: ProfileText | None = None
    country: Country | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> ProfileUpdate:
        if not self.model_fields_set:
            raise ValueError("give at least one field to change")
        return self


class UserProfile(BaseModel):
    """A user as the platform knows them."""

    id: str
    email: str
    name: str | None
    institution: str | None
    department: str | None
    country: str | None
    status: UserStatus = Field(description="unconfirmed, active or disabled")
    created_at: datetime
    updated_at: datetime
    roles: list[RoleGrant] = Field(description="Grants in force now.")


class AccountStatusChange(BaseModel):
    """Disable an account (its sessions end, its API tokens are refused) or enable it again."""

    model_config = ConfigDict(extra="forbid")

    status: Literal[UserStatus.ACTIVE, UserStatus.DISABLED]
    reason: Annotated[SingleLineText, Field(min_length=1, max_length=500)] | None = Field(
        default=None, description="Why, for the audit log."
    )


class UserPage(BaseModel):
    """One page of users."""

    items: list[UserProfile]
    total: int
    limit: int
    offset: int

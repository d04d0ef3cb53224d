"""Role grants: a role, optionally for one service, optionally until a moment."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from fip_core.access import Role
from fip_core.fields import Moment, Uuid


class RoleGrantCreate(BaseModel):
    """A role to grant."""

    model_config = ConfigDict(extra="forbid")

    role: Role
    service_id: Uuid | None = Field(default=None, description="Limit the role to one imputation service.")
    expires_at: Moment | None = Field(default=None, description="When the grant ends (RFC 3339, with a zone).")


class RoleGrant(BaseModel):
    """A role held by a user."""

    id: str
    role: Role
    service_id: str | None
    expires_at: datetime | None
    granted_by: str | None
    granted_at: datetime
    revoked_at: datetime | None = None


class RoleGrantList(BaseModel):
    """Grants of one user, newest first, with revoked and expired ones."""

    items: list[RoleGrant]

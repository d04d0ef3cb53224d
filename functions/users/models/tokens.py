"""Personal API tokens for pipelines and scripts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from fip_core.fields import SingleLineText


class ApiTokenCreate(BaseModel):
    """A token to make: a name to recognise it by and how long it lives."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[SingleLineText, Field(min_length=1, max_length=100)]
    expires_in_days: Annotated[StrictInt, Field(ge=1, le=3650)] | None = Field(
        default=None, description="Days until it expires; 90 by default, at most 365."
    )


class ApiToken(BaseModel):
    """A token as listed: never the token itself."""

    id: str
    name: str
    prefix: str = Field(description="The token's visible start, to recognise it.")
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiTokenCreated(ApiToken):
    """A new token, shown this once."""

    token: str = Field(description="Send as 'Authorization: Bearer <token>'. It is not shown again.")


class ApiTokenList(BaseModel):
    """The caller's tokens, newest first."""

    items: list[ApiToken]

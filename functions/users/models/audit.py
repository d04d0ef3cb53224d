"""The audit log: sign-ins and every admin action, of every domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class AuditEntry(BaseModel):
    """One recorded action."""

    id: str
    at: datetime
    domain: str
    action: str = Field(description="e.g. sign_in, role_granted, service_created")
    outcome: str = Field(description="success or failure")
    actor_id: str | None
    actor_email: str | None
    target_type: str | None
    target_id: str | None
    source_ip: str | None
    details: dict[str, Any]


class AuditPage(BaseModel):
    """Entries, newest first."""

    items: list[AuditEntry]
    total: int
    limit: int
    offset: int

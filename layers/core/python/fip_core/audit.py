"""Audit records: who did what to what, from where. The users domain keeps the one audit log;
other domains send their records as `AuditRecorded` events through their outbox, in the same
transaction as the action itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from fip_core.access import Principal


class AuditRecord(BaseModel):
    """One action worth keeping a trace of."""

    at: datetime = Field(description="When it happened.")
    domain: str = Field(max_length=32, description="The domain it happened in.")
    action: str = Field(max_length=64, description="What was done, e.g. sign_in, role_granted, service_created.")
    outcome: str = Field(default="success", max_length=16, description="success or failure.")
    actor_id: str | None = Field(default=None, max_length=64, description="Who did it, when known.")
    actor_email: str | None = Field(default=None, max_length=254)
    target_type: str | None = Field(default=None, max_length=64, description="What it was done to: user, service...")
    target_id: str | None = Field(default=None, max_length=254)
    source_ip: str | None = Field(default=None, max_length=64, description="Where the request came from.")
    details: dict[str, Any] = Field(default_factory=dict, description="What else is worth keeping; never a secret.")


def audit_record(
    domain: str,
    action: str,
    principal: Principal | None,
    now: datetime,
    *,
    target_type: str | None = None,
    target_id: str | None = None,
    source_ip: str | None = None,
    outcome: str = "success",
    details: dict[str, Any] | None = None,
) -> AuditRecord:
    """A record of an action by a principal (or by nobody known, e.g. a failed sign-in)."""
    return AuditRecord(
        at=now,
        domain=domain,
        action=action,
        outcome=outcome,
        actor_id=principal.user_id if principal else None,
        actor_email=principal.email if principal else None,
        target_type=target_type,
        target_id=target_id,
        source_ip=source_ip,
        details=details or {},
    )

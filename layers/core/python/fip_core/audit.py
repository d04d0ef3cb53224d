"""Audit records: who did what to what, from where. The users domain keeps the one audit log;
other domains send their records as `AuditRecorded` events through their outbox, in the same
transaction as the action itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from fip_core.access import Principal

AUDIT_RECORDED = "AuditRecorded"


class AuditRecord(BaseModel):
    """One action worth keeping a trace of."""

    at: datetime
    domain: str
    action: str
    outcome: str = "success"
    actor_id: str | None = None
    actor_email: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    source_ip: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)


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

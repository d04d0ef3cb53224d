"""What the registry's route modules share: the OpenAPI tags, the clock and the audit record of an
admin action."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

from fip_core.audit import audit_record
from fip_core.http import current_principal, source_ip
from fip_core.platform_events import AuditRecorded
from registry.dal.repository import RegistryRepository
from registry.handlers.wiring import utc_now
from registry.settings import DOMAIN

SERVICES = "Imputation services"
PANELS = "Reference panels"
HEALTH = "Service health"
GA4GH = "GA4GH Service Registry"
RESIDENCY = "Residency policy"


def audit(
    router: BaseRouter,
    repo: RegistryRepository,
    action: str,
    target_type: str,
    target_id: object,
    details: dict[str, Any] | None = None,
) -> None:
    """Queue the audit record of an admin action in the action's own transaction."""
    now = utc_now()
    record = audit_record(
        DOMAIN, action, current_principal(router), now, target_type=target_type, target_id=str(target_id),
        source_ip=source_ip(router), details=details,
    )  # fmt: skip
    repo.add_event(AuditRecorded.of(record), now)

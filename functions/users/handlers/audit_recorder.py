"""Subscribed to `AuditRecorded`: keeps every domain's audit records in the one audit log."""

from __future__ import annotations

from typing import Any

from fip_core.observability import observability
from fip_core.tasks import task_handler
from users.dal.unit_of_work import users_repository
from users.logic.audit import keep_event
from users.settings import DOMAIN

obs = observability(DOMAIN)


def record(event: dict[str, Any]) -> dict[str, Any]:
    """Store the record the event carries, once however often it is delivered."""
    with users_repository() as repo:
        added = keep_event(repo, event.get("detail") or {})
    return {"added": added}


handler = task_handler(obs, record)

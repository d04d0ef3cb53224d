"""The audit log: this domain's own records and those other domains send as events."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from fip_core.audit import AuditRecord
from users.dal.repository import UsersRepository
from users.domain import AuditQuery
from users.models.audit import AuditEntry, AuditPage


def keep_event(repo: UsersRepository, detail: dict[str, Any]) -> bool:
    """Store an `AuditRecorded` event once, however often it is delivered; answer whether it was new."""
    event_id = str(detail.get("event_id") or "")
    if not event_id:
        return False
    try:
        record = AuditRecord.model_validate({k: v for k, v in detail.items() if k != "event_id"})
    except ValidationError:
        return False
    return repo.audit(record, event_id)


def find_audit(repo: UsersRepository, query: AuditQuery) -> AuditPage:
    """Entries matching the filters, newest first."""
    page = repo.audit_log.find(query)
    items = [AuditEntry(id=kept.id, **kept.record.model_dump()) for kept in page.items]
    return AuditPage(items=items, total=page.total, limit=query.limit, offset=query.offset)

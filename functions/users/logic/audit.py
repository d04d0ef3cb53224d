"""The audit log: this domain's own records and those other domains send as events."""

from __future__ import annotations

from fip_core.platform_events import AuditRecorded
from fip_core.subscribers import Delivery, RejectedEvent
from users.dal.repository import UsersRepository
from users.domain import AuditQuery
from users.models.audit import AuditEntry, AuditPage


def keep_audit_record(repo: UsersRepository, delivery: Delivery[AuditRecorded]) -> None:
    """Keep a record another domain sent, under the event's id (so once however often it arrives),
    and only if it is about the domain that sent it: no domain writes another's audit trail."""
    sender = delivery.metadata.domain
    if delivery.event.domain != sender:
        raise RejectedEvent(f"an audit record of the {delivery.event.domain!r} domain was sent by {sender!r}")
    repo.audit(delivery.event.record(), delivery.metadata.event_id)


def find_audit(repo: UsersRepository, query: AuditQuery) -> AuditPage:
    """Entries matching the filters, newest first."""
    page = repo.audit_log.find(query)
    items = [AuditEntry(id=kept.id, **kept.record.model_dump()) for kept in page.items]
    return AuditPage(items=items, total=page.total, limit=query.limit, offset=query.offset)

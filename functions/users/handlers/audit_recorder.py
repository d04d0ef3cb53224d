"""Subscribed to `AuditRecorded`: keeps every domain's audit records in the one audit log."""

from __future__ import annotations

from fip_core.observability import observability
from fip_core.platform_events import AuditRecorded
from fip_core.subscribers import subscriber_handler
from users.dal.unit_of_work import STORE
from users.logic.audit import keep_audit_record
from users.settings import DOMAIN

handler = subscriber_handler(observability(DOMAIN), STORE, {AuditRecorded: keep_audit_record})

"""Subscribed to `AuditRecorded`: keeps every domain's audit records in the one audit log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from fip_core.observability import observability
from fip_core.tasks import subscriber_handler
from users import DOMAIN

if TYPE_CHECKING:
    from fip_core.platform_events import DomainEvent
    from fip_core.repository import DomainStore
    from fip_core.subscribers import Consumer
    from users.dal.repository import UsersRepository


def store() -> DomainStore[UsersRepository]:
    """The domain's store, imported on the first invocation."""
    from users.dal.unit_of_work import STORE

    return STORE


def consumers() -> Mapping[type[DomainEvent], Consumer[UsersRepository]]:
    """What each event the function subscribes to is applied with, imported on the first invocation."""
    from fip_core.platform_events import AuditRecorded
    from users.logic.audit import keep_audit_record

    return {AuditRecorded: keep_audit_record}


handler = subscriber_handler(observability(DOMAIN), store, consumers)

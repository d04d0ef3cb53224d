"""Relays the jobs domain's outbox every minute: what the relay after a commit could not publish."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fip_core.observability import observability
from fip_core.tasks import relay_handler
from jobs import DOMAIN

if TYPE_CHECKING:
    from fip_core.repository import DomainStore


def store() -> DomainStore[Any]:
    """The domain's store, imported on the first invocation."""
    from jobs.dal.unit_of_work import STORE

    return STORE


handler = relay_handler(observability(DOMAIN), store)

"""The registry's transactions and its event relay."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fip_core.database import transaction
from fip_core.events import EventBridgePublisher, Outbox, relay_outbox
from fip_core.observability import observability
from fip_core.settings import platform_settings
from registry.dal.repository import RegistryRepository
from registry.dal.tables import OUTBOX
from registry.settings import DOMAIN, registry_database


@contextmanager
def registry_repository() -> Iterator[RegistryRepository]:
    """A repository over one transaction, committed when the block ends without error."""
    with transaction(DOMAIN, registry_database()) as session:
        yield RegistryRepository(session)


def publish_pending_events() -> int:
    """Relay the outbox to the bus; on failure the events wait for the next relay."""
    settings = platform_settings()
    publisher = EventBridgePublisher(f"{settings.event_source_prefix}.{DOMAIN}", settings.event_bus_name)
    try:
        with transaction(DOMAIN, registry_database()) as session:
            return relay_outbox(session, Outbox(OUTBOX), publisher)
    except Exception:
        # the change itself is committed; its events stay queued and the next sweep retries them
        observability(DOMAIN).logger.exception("could not publish events; they stay in the outbox")
        return 0

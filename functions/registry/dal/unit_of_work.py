"""The registry's transactions and its event relay."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fip_core.database import transaction
from fip_core.events import publish_domain_events
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
    return publish_domain_events(DOMAIN, registry_database(), OUTBOX)

"""The registry's transactions and its event relay."""

from __future__ import annotations

from fip_core.repository import DomainStore
from registry.dal.repository import RegistryRepository
from registry.dal.tables import OUTBOX
from registry.settings import DOMAIN, registry_database

STORE = DomainStore(DOMAIN, registry_database, RegistryRepository, OUTBOX)
registry_repository = STORE.transaction
publish_pending_events = STORE.publish_pending_events

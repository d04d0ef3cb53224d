"""The registry's transactions; the events they queue are relayed once they commit."""

from __future__ import annotations

from fip_core.repository import DomainStore
from registry.dal.repository import RegistryRepository
from registry.dal.tables import EVENTS
from registry.declaration import DECLARATION
from registry.settings import DOMAIN, registry_database

STORE = DomainStore(DOMAIN, registry_database, RegistryRepository, EVENTS, DECLARATION.publishes)
registry_repository = STORE.transaction
registry_reading = STORE.reading  # for routes that only read: no write, no BEGIN and COMMIT

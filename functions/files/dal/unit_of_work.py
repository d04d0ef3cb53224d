"""The files domain's transactions; the events they queue are relayed once they commit."""

from __future__ import annotations

from files.dal.repository import FilesRepository
from files.dal.tables import EVENTS
from files.declaration import DECLARATION
from files.settings import DOMAIN, files_database
from fip_core.repository import DomainStore

STORE = DomainStore(DOMAIN, files_database, FilesRepository, EVENTS, DECLARATION.publishes)
files_repository = STORE.transaction
files_reading = STORE.reading  # for routes that only read

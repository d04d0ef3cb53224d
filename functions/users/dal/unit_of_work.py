"""The users domain's transactions; the events they queue are relayed once they commit."""

from __future__ import annotations

from fip_core.repository import DomainStore
from users.dal.repository import UsersRepository
from users.dal.tables import EVENTS
from users.declaration import DECLARATION
from users.settings import DOMAIN, users_database

STORE = DomainStore(DOMAIN, users_database, UsersRepository, EVENTS, DECLARATION.publishes)
users_repository = STORE.transaction
users_reading = STORE.reading  # for routes that only read: no write, no BEGIN and COMMIT

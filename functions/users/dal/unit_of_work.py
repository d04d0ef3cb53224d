"""The users domain's transactions and its event relay."""

from __future__ import annotations

from fip_core.repository import DomainStore
from users.dal.repository import UsersRepository
from users.dal.tables import OUTBOX
from users.settings import DOMAIN, users_database

STORE = DomainStore(DOMAIN, users_database, UsersRepository, OUTBOX)
users_repository = STORE.transaction
publish_pending_events = STORE.publish_pending_events

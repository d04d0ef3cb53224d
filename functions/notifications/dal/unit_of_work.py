"""The notifications domain's transactions."""

from __future__ import annotations

from fip_core.repository import DomainStore
from notifications.dal.repository import NotificationsRepository
from notifications.dal.tables import EVENTS
from notifications.declaration import DECLARATION
from notifications.settings import DOMAIN, notifications_database

STORE = DomainStore(DOMAIN, notifications_database, NotificationsRepository, EVENTS, DECLARATION.publishes)
notifications_repository = STORE.transaction
notifications_reading = STORE.reading  # for routes that only read

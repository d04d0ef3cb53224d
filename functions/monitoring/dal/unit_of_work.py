"""The monitoring domain's transactions."""

from __future__ import annotations

from fip_core.repository import DomainStore
from monitoring.dal.repository import MonitoringRepository
from monitoring.dal.tables import EVENTS
from monitoring.declaration import DECLARATION
from monitoring.settings import DOMAIN, monitoring_database

STORE = DomainStore(DOMAIN, monitoring_database, MonitoringRepository, EVENTS, DECLARATION.publishes)
monitoring_repository = STORE.transaction
monitoring_reading = STORE.reading  # for routes that only read

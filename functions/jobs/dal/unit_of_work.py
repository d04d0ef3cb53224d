"""The jobs domain's transactions; the events they queue are relayed once they commit."""

from __future__ import annotations

from fip_core.repository import DomainStore
from jobs.dal.repository import JobsRepository
from jobs.dal.tables import EVENTS
from jobs.declaration import DECLARATION
from jobs.settings import DOMAIN, jobs_database

STORE = DomainStore(DOMAIN, jobs_database, JobsRepository, EVENTS, DECLARATION.publishes)
jobs_repository = STORE.transaction
jobs_reading = STORE.reading  # for routes that only read

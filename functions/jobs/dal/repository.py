"""The jobs repository: one transaction over the domain's tables and its outbox."""

from __future__ import annotations

from sqlalchemy.orm import Session

from fip_core.events import Outbox
from fip_core.repository import DomainRepository
from jobs.dal.jobs import JobRepository


class JobsRepository(DomainRepository):
    """Reads and writes the jobs domain's tables inside one transaction (the caller's session)."""

    def __init__(self, session: Session, outbox: Outbox) -> None:
        super().__init__(session, outbox)
        self.jobs = JobRepository(session, outbox)

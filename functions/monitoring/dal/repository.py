"""The monitoring repository: one transaction over the domain's tables and its inbox."""

from __future__ import annotations

from sqlalchemy.orm import Session

from fip_core.events import Outbox
from fip_core.repository import DomainRepository
from monitoring.dal.aggregates import Aggregates, Tally
from monitoring.dal.jobs import Jobs
from monitoring.dal.services import Services


class MonitoringRepository(DomainRepository):
    """Reads and writes the monitoring domain's tables inside one transaction (the caller's session)."""

    def __init__(self, session: Session, outbox: Outbox) -> None:
        super().__init__(session, outbox)
        self.jobs = Jobs(session)
        self.services = Services(session)
        self.tally = Tally(session)
        self.aggregates = Aggregates(session)

    def settle(self) -> None:
        """Write the aggregates' changes folded in this transaction."""
        self.tally.flush()

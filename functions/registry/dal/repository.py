"""The registry's repository: one transaction over its aggregates (services, panels, health, the residency policy)
and its outbox."""

from __future__ import annotations

from sqlalchemy.orm import Session

from fip_core.events import Outbox
from fip_core.repository import DomainRepository
from registry.dal.health import HealthRepository
from registry.dal.panels import PanelRepository
from registry.dal.residency import ResidencyRepository
from registry.dal.services import ServiceRepository


class RegistryRepository(DomainRepository):
    """Reads and writes the registry's tables inside one transaction (the caller's session); events
    are queued with `add_event` in the same transaction."""

    def __init__(self, session: Session, outbox: Outbox) -> None:
        super().__init__(session, outbox)
        self.services = ServiceRepository(session, outbox)
        self.panels = PanelRepository(session, outbox)
        self.health = HealthRepository(session, outbox)
        self.residency = ResidencyRepository(session, outbox)

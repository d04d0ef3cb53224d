"""The notifications repository: one transaction over the domain's tables and its inbox."""

from __future__ import annotations

from sqlalchemy.orm import Session

from fip_core.events import Outbox
from fip_core.repository import DomainRepository
from notifications.dal.deliveries import Deliveries
from notifications.dal.inbox import Notifications
from notifications.dal.jobs import JobProgress
from notifications.dal.messages import Messages
from notifications.dal.preferences import Preferences, Suppressions


class NotificationsRepository(DomainRepository):
    """Reads and writes the notifications domain's tables inside one transaction (the caller's session)."""

    def __init__(self, session: Session, outbox: Outbox) -> None:
        super().__init__(session, outbox)
        self.messages = Messages(session)
        self.notifications = Notifications(session)
        self.deliveries = Deliveries(session)
        self.preferences = Preferences(session)
        self.suppressions = Suppressions(session)
        self.jobs = JobProgress(session)

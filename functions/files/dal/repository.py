"""The files repository: one transaction over the domain's tables and its outbox and inbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from files.dal.files import FileRepository
from files.dal.tables import EVENTS
from fip_core.events import Outbox
from fip_core.repository import DomainRepository, DuplicateError


class FilesRepository(DomainRepository):
    """Reads and writes the files domain's tables inside one transaction (the caller's session)."""

    def __init__(self, session: Session, outbox: Outbox) -> None:
        super().__init__(session, outbox)
        self.files = FileRepository(session, outbox)

    def applied(self, event_id: str) -> bool:
        """Whether an AWS event (S3's) was applied already."""
        inbox = EVENTS.inbox
        return self.session.scalar(select(inbox.c.event_id).where(inbox.c.event_id == event_id)) is not None

    def mark_applied(self, event_id: str, detail_type: str, source: str, now: datetime) -> None:
        """Record an AWS event as applied, in the transaction that applies it (a second one clashes)."""
        try:
            self.session.execute(
                insert(EVENTS.inbox).values(event_id=event_id, detail_type=detail_type, source=source, applied_at=now)
            )
        except IntegrityError as error:
            raise DuplicateError(str(error.orig)) from error

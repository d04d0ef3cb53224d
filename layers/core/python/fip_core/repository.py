"""What every domain's repository shares: one transaction (the caller's session), its outbox, and
unique-constraint refusals turned into a 409 problem (which the logic layer may reword) rather
than a 500."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fip_core.database import transaction
from fip_core.events import Outbox, publish_domain_events
from fip_core.problems import ConflictError
from fip_core.settings import DatabaseSettings


class DuplicateError(ConflictError):
    """A unique constraint refused the write. The database's own message stays in `cause` (for
    logs): it names constraints and values the caller has no business seeing."""

    def __init__(self, cause: str) -> None:
        super().__init__("this clashes with a record that already exists; change what must be unique and try again")
        self.cause = cause


class DomainRepository:
    """Reads and writes one domain's tables inside the caller's transaction."""

    def __init__(self, session: Session, outbox: Table) -> None:
        self.session = session
        self.outbox = Outbox(outbox)

    def add_event(self, detail_type: str, detail: dict[str, Any], now: datetime) -> str:
        """Queue a domain event in this transaction; it is published once the transaction commits."""
        return self.outbox.add(self.session, detail_type, detail, now)

    def _flush(self) -> None:
        try:
            self.session.flush()
        except IntegrityError as error:
            raise DuplicateError(str(error.orig)) from error


@dataclass(frozen=True)
class DomainStore[R: DomainRepository]:
    """A domain's transactions, each over its repository, and the relay of the events they queued."""

    domain: str
    database: Callable[[], DatabaseSettings]
    repository: Callable[[Session], R]
    outbox: Table

    @contextmanager
    def transaction(self) -> Iterator[R]:
        """A repository over one transaction, committed when the block ends without error."""
        with transaction(self.domain, self.database()) as session:
            yield self.repository(session)

    def publish_pending_events(self) -> int:
        """Relay the outbox to the bus; on failure the events wait for the next relay."""
        return publish_domain_events(self.domain, self.database(), self.outbox)

"""What every domain's repository shares: one transaction (the caller's session), its outbox, and
unique-constraint refusals turned into a 409 problem (which the logic layer may reword) rather
than a 500; and the domain's store, whose transactions relay the events they queued once they
commit."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fip_core.database import transaction
from fip_core.events import EventTables, Outbox, publish_domain_events
from fip_core.platform_events import DomainEvent
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

    def __init__(self, session: Session, outbox: Outbox) -> None:
        self.session = session
        self.outbox = outbox

    def add_event(self, event: DomainEvent, now: datetime) -> str:
        """Queue a domain event in this transaction; it is published once the transaction commits."""
        return self.outbox.add(self.session, event, now)

    def add_events(self, events: Sequence[DomainEvent], now: datetime) -> list[str]:
        """Queue several events in one statement; they are published once the transaction commits."""
        return self.outbox.add_all(self.session, events, now)

    def _flush(self) -> None:
        try:
            self.session.flush()
        except IntegrityError as error:
            raise DuplicateError(str(error.orig)) from error


@dataclass(frozen=True)
class DomainStore[R: DomainRepository]:
    """A domain's transactions, each over its repository; the events a transaction queued are
    relayed to the bus as soon as it commits (and by the scheduled relay if that fails)."""

    domain: str
    database: Callable[[], DatabaseSettings]
    repository: Callable[[Session, Outbox], R]
    tables: EventTables
    publishes: tuple[type[DomainEvent], ...] = ()

    @contextmanager
    def transaction(self, *, relay: bool = True) -> Iterator[R]:
        """A repository over one transaction, committed when the block ends without error; with
        `relay=False` the events it queued wait for the caller's `publish_pending_events` (or the
        scheduled relay), so that a caller writing batch after batch need not wait on the bus."""
        outbox = Outbox(self.tables.outbox, self.domain, self.publishes)
        with transaction(self.domain, self.database()) as session:
            yield self.repository(session, outbox)
        if outbox.added and relay:
            self.publish_pending_events()

    @contextmanager
    def reading(self) -> Iterator[R]:
        """A repository that reads: it refuses every write (and every event), and on PostgreSQL spares the
        BEGIN and COMMIT round trips of a transaction (fip_core.database.transaction)."""
        outbox = Outbox(self.tables.outbox, self.domain, self.publishes)  # its session refuses the insert
        with transaction(self.domain, self.database(), read_only=True) as session:
            yield self.repository(session, outbox)

    def publish_pending_events(self) -> int:
        """Relay the outbox to the bus; on failure the events wait for the scheduled relay."""
        return publish_domain_events(self.domain, self.database(), self.tables.outbox)

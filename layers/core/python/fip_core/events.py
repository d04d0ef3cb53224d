"""Domain events: written to an outbox in the same transaction as the change they describe, then
relayed to the EventBridge bus. A crash between the two delays an event; it never loses one.

The relay runs after every transaction that queued an event and, for what that missed (the bus
was unreachable, the container died), on a schedule every minute; the scheduled relay reports the
age of the oldest event still waiting, which an alarm watches.

Events may reach a subscriber more than once (EventBridge delivers at least once, and a relay may
repeat a batch it could not mark): every event carries `metadata.event_id`, and subscribers keep
the ids they applied in their inbox (`fip_core.subscribers`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from sqlalchemy import JSON, Column, Index, MetaData, String, Table, Text, delete, func, insert, select, update
from sqlalchemy.orm import Session

from fip_core.aws import aws_client
from fip_core.database import UtcDateTime, transaction
from fip_core.observability import observability
from fip_core.platform_events import DomainEvent, EventMetadata, event_detail
from fip_core.settings import DatabaseSettings, platform_settings

PUT_EVENTS_BATCH = 10  # the PutEvents limit
PUBLISH_THREADS = 8  # PutEvents calls in flight at once: a sweep that changes 1,000 statuses makes 100
PUBLISHED_RETENTION = timedelta(days=7)  # published events are kept this long, for investigation


@dataclass(frozen=True)
class EventTables:
    """A domain's event tables: what it publishes (outbox), what it applied (inbox) and what it
    received but could not accept (quarantine). Part of the domain's own metadata and migrations."""

    outbox: Table
    inbox: Table
    quarantine: Table


def event_tables(metadata: MetaData) -> EventTables:
    """The event tables, added to a domain's own metadata."""
    outbox = Table(
        "outbox_events",
        metadata,
        Column("id", String(36), primary_key=True),
        Column("detail_type", String(128), nullable=False),
        Column("detail", JSON, nullable=False),
        Column("created_at", UtcDateTime(), nullable=False),
        Column("published_at", UtcDateTime(), nullable=True),
        Index("ix_outbox_events_unpublished", "published_at", "created_at"),
    )
    inbox = Table(
        "inbox_events",
        metadata,
        Column("event_id", String(64), primary_key=True),
        Column("detail_type", String(128), nullable=False),
        Column("source", String(128), nullable=False),
        Column("applied_at", UtcDateTime(), nullable=False),
    )
    quarantine = Table(
        "quarantined_events",
        metadata,
        Column("id", String(36), primary_key=True),
        Column("event_id", String(64), nullable=True),
        Column("detail_type", String(128), nullable=False),
        Column("source", String(128), nullable=False),
        Column("reason", Text, nullable=False),
        Column("event", JSON, nullable=False),
        Column("received_at", UtcDateTime(), nullable=False),
        Index("ix_quarantined_events_received", "received_at"),
    )
    return EventTables(outbox, inbox, quarantine)


class UndeclaredEventError(TypeError):
    """A domain queued an event its declaration does not say it publishes."""


@dataclass(frozen=True)
class PendingEvent:
    """An event waiting in the outbox."""

    id: str
    detail_type: str
    detail: dict[str, Any]
    created_at: datetime


class Outbox:
    """Adds a domain's events inside its transactions and hands out the ones not yet published."""

    def __init__(self, table: Table, domain: str, publishes: Iterable[type[DomainEvent]] | None = None) -> None:
        self.table = table
        self.domain = domain
        self.publishes = None if publishes is None else frozenset(event.key() for event in publishes)
        self.added = 0  # events queued through this outbox object (one transaction's, in a domain store)

    def add(self, session: Session, event: DomainEvent, now: datetime) -> str:
        """Queue one event; it is published only if the surrounding transaction commits."""
        return self.add_all(session, [event], now)[0]

    def add_all(self, session: Session, events: Sequence[DomainEvent], now: datetime) -> list[str]:
        """Queue events in one statement (a sweep may queue a thousand); answer their ids."""
        rows = [self._row(event, now) for event in events]
        if rows:
            session.execute(insert(self.table), rows)
            self.added += len(rows)
        return [row["id"] for row in rows]

    def _row(self, event: DomainEvent, now: datetime) -> dict[str, Any]:
        if self.publishes is not None and event.key() not in self.publishes:
            raise UndeclaredEventError(
                f"{self.domain} does not declare that it publishes {event.name} v{event.version}: add it to "
                "the `publishes` of its declaration"
            )
        metadata = EventMetadata(
            event_id=str(uuid.uuid4()), name=event.name, version=event.version, domain=self.domain, occurred_at=now
        )
        return {
            "id": metadata.event_id,
            "detail_type": event.name,
            "detail": event_detail(event, metadata),
            "created_at": now,
        }

    def pending(self, session: Session, limit: int = 100) -> list[PendingEvent]:
        """The oldest unpublished events, locked against a concurrent relay where the database can."""
        rows = session.execute(
            select(self.table)
            .where(self.table.c.published_at.is_(None))
            .order_by(self.table.c.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        return [PendingEvent(r.id, r.detail_type, r.detail, r.created_at) for r in rows]

    def mark_published(self, session: Session, event_ids: list[str], now: datetime) -> None:
        """Record that these events reached the bus."""
        if event_ids:
            session.execute(update(self.table).where(self.table.c.id.in_(event_ids)).values(published_at=now))

    def oldest_waiting(self, session: Session) -> datetime | None:
        """When the oldest event still waiting to be published was queued, if any is."""
        oldest: datetime | None = session.scalar(
            select(func.min(self.table.c.created_at)).where(self.table.c.published_at.is_(None))
        )
        return oldest

    def prune_published(self, session: Session, before: datetime) -> int:
        """Forget events published before a moment; answer how many went."""
        result = session.execute(
            delete(self.table).where(self.table.c.published_at.is_not(None), self.table.c.published_at < before)
        )
        return int(getattr(result, "rowcount", 0) or 0)


class EventPublishError(RuntimeError):
    """EventBridge refused some entries; they stay in the outbox for the next relay."""


class EventBridgePublisher:
    """Puts domain events on the platform's bus with source `<prefix>.<domain>`."""

    def __init__(self, source: str, bus_name: str) -> None:
        self.source = source
        self.bus_name = bus_name

    def publish(self, events: list[PendingEvent]) -> list[str]:
        """Publish events in PutEvents batches, several batches at once; answer the ids accepted."""
        batches = [events[start : start + PUT_EVENTS_BATCH] for start in range(0, len(events), PUT_EVENTS_BATCH)]
        client = aws_client("events")
        with ThreadPoolExecutor(max_workers=min(PUBLISH_THREADS, len(batches) or 1)) as pool:
            answers = list(pool.map(lambda batch: self._put(client, batch), batches))
        accepted = [event_id for batch_accepted, _ in answers for event_id in batch_accepted]
        failures = [failure for _, batch_failures in answers for failure in batch_failures]
        if failures and not accepted:
            raise EventPublishError("; ".join(failures))
        return accepted

    def _put(self, client: Any, batch: list[PendingEvent]) -> tuple[list[str], list[str]]:
        answer = client.put_events(
            Entries=[
                {
                    "Source": self.source,
                    "DetailType": event.detail_type,
                    "Detail": json.dumps(event.detail, default=str),
                    "EventBusName": self.bus_name,
                    "Time": event.created_at,
                }
                for event in batch
            ]
        )
        accepted, failures = [], []
        for event, entry in zip(batch, answer["Entries"], strict=True):
            if entry.get("EventId"):
                accepted.append(event.id)
            else:
                failures.append(f"{event.id}: {entry.get('ErrorCode')} {entry.get('ErrorMessage')}")
        return accepted, failures


def event_source(domain: str) -> str:
    """The source of a domain's events on the bus: `fip.registry`."""
    return f"{platform_settings().event_source_prefix}.{domain}"


def relay_outbox(session: Session, outbox: Outbox, publisher: EventBridgePublisher, batch: int = 500) -> int:
    """Publish everything waiting in the outbox, a batch at a time, marking what went out;
    answer how many events were published."""
    published = 0
    while events := outbox.pending(session, batch):
        accepted = publisher.publish(events)
        outbox.mark_published(session, accepted, datetime.now(UTC))
        published += len(accepted)
        if len(accepted) < len(events):
            break  # the bus refused some: leave them for the next relay instead of spinning
    return published


@dataclass(frozen=True)
class RelayReport:
    """What one relay did, and what still waits."""

    published: int
    oldest_waiting_seconds: float
    pruned: int = 0
    failure: str | None = None  # why publishing failed, if it did


def relay_domain_events(domain: str, database: DatabaseSettings, table: Table, now: datetime) -> RelayReport:
    """Relay a domain's outbox to the platform's bus and report the age of what is left: when the
    bus cannot be reached the events stay queued (their change is committed) and the report says
    why. Raises only when the database cannot be reached."""
    publisher = EventBridgePublisher(event_source(domain), platform_settings().event_bus_name)
    outbox = Outbox(table, domain)
    published, failure = 0, None
    try:
        with transaction(domain, database) as session:
            published = relay_outbox(session, outbox, publisher)
    except (EventPublishError, BotoCoreError, ClientError) as error:
        failure = f"{type(error).__name__}: {error}"
    with transaction(domain, database) as session:
        oldest = outbox.oldest_waiting(session)
        pruned = outbox.prune_published(session, now - PUBLISHED_RETENTION)
    age = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0
    return RelayReport(published=published, oldest_waiting_seconds=round(age, 3), pruned=pruned, failure=failure)


def publish_domain_events(domain: str, database: DatabaseSettings, table: Table) -> int:
    """Relay a domain's outbox after a commit; on any failure the events stay queued for the
    scheduled relay, and the failure is logged and counted. Answer how many went out."""
    publisher = EventBridgePublisher(event_source(domain), platform_settings().event_bus_name)
    try:
        with transaction(domain, database) as session:
            return relay_outbox(session, Outbox(table, domain), publisher)
    except Exception:
        obs = observability(domain)
        obs.logger.exception("could not publish events; they stay in the outbox for the scheduled relay")
        obs.metrics.add_metric(name="EventRelayFailures", unit="Count", value=1)
        return 0

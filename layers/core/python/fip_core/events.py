"""Domain events: written to an outbox in the same transaction as the change they describe, then
relayed to the EventBridge bus. A crash between the two delays an event; it never loses one.

Events may reach a subscriber more than once (EventBridge delivers at least once, and a relay may
repeat a batch it could not mark): every detail carries `event_id` for subscribers to de-duplicate.
"""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, MetaData, String, Table, insert, select, update
from sqlalchemy.orm import Session

from fip_core.aws import aws_client
from fip_core.database import UtcDateTime, transaction
from fip_core.observability import observability
from fip_core.settings import DatabaseSettings, platform_settings

PUT_EVENTS_BATCH = 10  # the PutEvents limit
PUBLISH_THREADS = 8  # PutEvents calls in flight at once: a sweep that changes 1,000 statuses makes 100


def outbox_table(metadata: MetaData) -> Table:
    """The outbox table, added to a domain's own metadata (and so to its own migrations)."""
    return Table(
        "outbox_events",
        metadata,
        Column("id", String(36), primary_key=True),
        Column("detail_type", String(128), nullable=False),
        Column("detail", JSON, nullable=False),
        Column("created_at", UtcDateTime(), nullable=False),
        Column("published_at", UtcDateTime(), nullable=True),
        Index("ix_outbox_events_unpublished", "published_at", "created_at"),
    )


@dataclass(frozen=True)
class PendingEvent:
    """An event waiting in the outbox."""

    id: str
    detail_type: str
    detail: dict[str, Any]
    created_at: datetime


class Outbox:
    """Adds events inside a domain's transaction and hands out the ones not yet published."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def add(self, session: Session, detail_type: str, detail: dict[str, Any], now: datetime) -> str:
        """Queue one event; it is published only if the surrounding transaction commits."""
        event_id = str(uuid.uuid4())
        session.execute(
            insert(self.table).values(
                id=event_id,
                detail_type=detail_type,
                detail={"event_id": event_id, **detail},
                created_at=now,
            )
        )
        return event_id

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


def publish_domain_events(domain: str, database: DatabaseSettings, table: Table) -> int:
    """Relay a domain's outbox to the platform's bus; on any failure the events stay queued for
    the next relay (the change they describe is committed already). Answer how many went out."""
    settings = platform_settings()
    publisher = EventBridgePublisher(f"{settings.event_source_prefix}.{domain}", settings.event_bus_name)
    try:
        with transaction(domain, database) as session:
            return relay_outbox(session, Outbox(table), publisher)
    except Exception:
        observability(domain).logger.exception("could not publish events; they stay in the outbox")
        return 0

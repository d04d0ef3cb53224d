"""Receiving other domains' events: each applied once, with the publisher's own model, or kept aside.

A subscriber function gets EventBridge events. For each one:
- an event that cannot be read (no envelope, a version the subscriber does not know, a source that
  is not the domain the envelope names, data that fails the model's validation, or one the consumer
  refuses with `RejectedEvent`) is kept in the domain's quarantine table with the reason, logged and
  counted, and not retried: retrying would not change it;
- an event already applied (its id is in the domain's inbox) is skipped;
- otherwise the consumer runs in the domain's transaction, which also records the event's id in the
  inbox: the change and the record of having made it commit together. A consumer that fails raises,
  so Lambda retries the event and then sends it to the domain's on-failure destination (an alarm
  watches it): nothing is lost silently.

`receive_batch` applies many events in one transaction, each still once by its id (a replay, a
backfill, a queue's batch): the same reading, quarantine and inbox, in a few statements for the lot.
A subscriber given `settle` calls it with the repository once per transaction, after its consumers
and before the inbox records: a domain that folds its consumers' changes in memory writes them there.
Given `prepare`, `receive_batch` calls it with the repository and the batch's readable deliveries
before the first consumer runs: a domain reads there, in a few statements, what its consumers will.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import insert, select

from fip_core.events import event_source
from fip_core.observability import Observability
from fip_core.platform_events import DomainEvent, EventMetadata
from fip_core.repository import DomainRepository, DomainStore

QUARANTINED_METRIC = "QuarantinedEvents"
_IN_LIMIT = 500  # ids per IN list: well inside SQLite's and PostgreSQL's limits on bound parameters


class RejectedEvent(Exception):  # noqa: N818 - it names the outcome, as the domain says it
    """A consumer's refusal of an event that is well-formed but not acceptable (e.g. an audit record
    claiming another domain than the one that sent it). The event is quarantined with the reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Delivery[E: DomainEvent]:
    """An event as a consumer receives it: the envelope, who sent it and the typed event."""

    metadata: EventMetadata
    source: str
    event: E


type Consumer[R: DomainRepository] = Callable[[R, Delivery[Any]], None]


@dataclass(frozen=True)
class Outcome:
    """What became of one delivered event."""

    outcome: str  # applied, duplicate or quarantined
    event_id: str | None
    detail_type: str
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The function's answer."""
        return {key: value for key, value in self.__dict__.items() if value is not None}


class Subscriber[R: DomainRepository]:
    """Applies the events a domain subscribes to, with one consumer per event model."""

    def __init__(
        self,
        store: DomainStore[R],
        consumers: Mapping[type[DomainEvent], Consumer[R]],
        obs: Observability,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        settle: Callable[[R], None] | None = None,
        prepare: Callable[[R, Sequence[Delivery[Any]]], None] | None = None,
    ) -> None:
        self.store = store
        self.consumers = {model.key(): (model, consume) for model, consume in consumers.items()}
        self.obs = obs
        self.clock = clock
        self.settle = settle
        self.prepare = prepare

    def receive(self, event: dict[str, Any]) -> Outcome:
        """Apply, skip or quarantine one EventBridge event."""
        detail_type = str(event.get("detail-type") or "")
        source = str(event.get("source") or "")
        detail = event.get("detail")
        try:
            delivery = self._read(detail_type, source, detail)
        except RejectedEvent as rejected:
            event_id = _event_id(detail)
            return self._quarantine(event, event_id, detail_type, source, rejected.reason)
        _model, consume = self.consumers[(delivery.metadata.name, delivery.metadata.version)]
        try:
            with self.store.transaction() as repo:
                inbox = self.store.tables.inbox
                seen = repo.session.scalar(
                    select(inbox.c.event_id).where(inbox.c.event_id == delivery.metadata.event_id)
                )
                if seen is not None:
                    return Outcome("duplicate", delivery.metadata.event_id, detail_type)
                consume(repo, delivery)
                if self.settle is not None:
                    self.settle(repo)
                repo.session.execute(insert(inbox).values(self._inbox_row(delivery)))
        except RejectedEvent as rejected:
            return self._quarantine(event, delivery.metadata.event_id, detail_type, source, rejected.reason)
        return Outcome("applied", delivery.metadata.event_id, detail_type)

    def receive_batch(self, events: Sequence[dict[str, Any]]) -> list[Outcome]:
        """Apply, skip or quarantine many EventBridge events, the applied ones in one transaction: each
        once by its id, whether it was applied before or comes twice in the batch. Should a consumer
        refuse one (`RejectedEvent`), nothing of the batch is kept and each event is received on its own."""
        outcomes: list[Outcome | None] = [None] * len(events)
        readable: list[tuple[int, Delivery[Any]]] = []
        for position, event in enumerate(events):
            detail_type, source = str(event.get("detail-type") or ""), str(event.get("source") or "")
            try:
                readable.append((position, self._read(detail_type, source, event.get("detail"))))
            except RejectedEvent as rejected:
                event_id = _event_id(event.get("detail"))
                outcomes[position] = self._quarantine(event, event_id, detail_type, source, rejected.reason)
        try:
            with self.store.transaction() as repo:
                inbox = self.store.tables.inbox
                ids = list({delivery.metadata.event_id for _, delivery in readable})
                seen: set[str] = set()
                for start in range(0, len(ids), _IN_LIMIT):
                    chunk = ids[start : start + _IN_LIMIT]
                    seen.update(repo.session.scalars(select(inbox.c.event_id).where(inbox.c.event_id.in_(chunk))))
                if self.prepare is not None:
                    self.prepare(repo, [delivery for _, delivery in readable if delivery.metadata.event_id not in seen])
                rows: list[dict[str, Any]] = []
                for position, delivery in readable:
                    event_id, name = delivery.metadata.event_id, delivery.metadata.name
                    if event_id in seen:
                        outcomes[position] = Outcome("duplicate", event_id, name)
                        continue
                    seen.add(event_id)
                    self.consumers[(name, delivery.metadata.version)][1](repo, delivery)
                    rows.append(self._inbox_row(delivery))
                    outcomes[position] = Outcome("applied", event_id, name)
                if self.settle is not None:
                    self.settle(repo)
                if rows:
                    repo.session.execute(insert(inbox), rows)
        except RejectedEvent:
            return [
                self.receive(event) if outcome is None or outcome.outcome != "quarantined" else outcome
                for event, outcome in zip(events, outcomes, strict=True)
            ]
        return [outcome for outcome in outcomes if outcome is not None]

    def _inbox_row(self, delivery: Delivery[Any]) -> dict[str, Any]:
        return {
            "event_id": delivery.metadata.event_id,
            "detail_type": delivery.metadata.name,
            "source": delivery.source,
            "applied_at": self.clock(),
        }

    def _read(self, detail_type: str, source: str, detail: Any) -> Delivery[Any]:
        if not isinstance(detail, dict) or not isinstance(detail.get("metadata"), dict):
            raise RejectedEvent("the event has no metadata envelope; it was not published by a platform domain")
        try:
            metadata = EventMetadata.model_validate(detail["metadata"])
        except ValidationError as error:
            raise RejectedEvent(f"the envelope is not valid: {_errors(error)}") from error
        if metadata.name != detail_type:
            raise RejectedEvent(f"the envelope names {metadata.name!r} but the detail-type is {detail_type!r}")
        found = self.consumers.get((metadata.name, metadata.version))
        if found is None:
            known = sorted(f"{name} v{version}" for name, version in self.consumers)
            raise RejectedEvent(f"{metadata.name} v{metadata.version} is not read here (this subscriber reads {known})")
        if source != event_source(metadata.domain):
            raise RejectedEvent(f"source {source!r} is not the domain the envelope names ({metadata.domain!r})")
        model, _consume = found
        try:
            typed = model.model_validate(detail.get("data"))
        except ValidationError as error:
            raise RejectedEvent(f"the data is not a valid {model.name} v{model.version}: {_errors(error)}") from error
        return Delivery(metadata=metadata, source=source, event=typed)

    def _quarantine(
        self, event: dict[str, Any], event_id: str | None, detail_type: str, source: str, reason: str
    ) -> Outcome:
        with self.store.transaction() as repo:
            repo.session.execute(
                insert(self.store.tables.quarantine).values(
                    id=str(uuid.uuid4()),
                    event_id=event_id,
                    detail_type=detail_type[:128],
                    source=source[:128],
                    reason=reason,
                    event=event,
                    received_at=self.clock(),
                )
            )
        self.obs.logger.warning(
            "event quarantined", extra={"event_id": event_id, "detail_type": detail_type, "reason": reason}
        )
        self.obs.metrics.add_metric(name=QUARANTINED_METRIC, unit="Count", value=1)
        return Outcome("quarantined", event_id, detail_type, reason)


def _event_id(detail: Any) -> str | None:
    if isinstance(detail, dict) and isinstance(detail.get("metadata"), dict):
        event_id = detail["metadata"].get("event_id")
        return str(event_id)[:64] if event_id else None
    return None


def _errors(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in e['loc']) or 'data'}: {e['msg']}"
        for e in error.errors(include_input=False, include_url=False)
    )

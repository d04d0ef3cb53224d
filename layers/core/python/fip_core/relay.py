"""The scheduled relay every publishing domain runs each minute: it publishes what the relay after a
commit could not (the bus was unreachable, the container was stopped between commit and relay),
and reports how long the oldest event has waited, which an alarm watches. And the loop of a task
that records many answers in batches while it relays their events (`record_and_relay`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fip_core.events import relay_domain_events
from fip_core.observability import Observability
from fip_core.repository import DomainStore

OLDEST_WAITING_METRIC = "OldestUnrelayedEventAgeSeconds"
RELAYED_METRIC = "EventsRelayed"


class RelayFailedError(RuntimeError):
    """The bus refused the domain's events; they wait in its outbox for the next relay."""


def relay_task(
    obs: Observability,
    store: DomainStore[Any],
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Relay the domain's outbox and report how long the oldest event left has waited. When the bus
    refused, the report is still made (so the age keeps growing towards the alarm) and then the relay
    fails, so the function's errors alarm fires too; when the database cannot be reached nothing is
    reported, which the waiting-events alarm treats as breaching."""

    def relay(_event: dict[str, Any]) -> dict[str, Any]:
        report = relay_domain_events(store.domain, store.database(), store.tables.outbox, clock())
        obs.metrics.add_metric(name=RELAYED_METRIC, unit="Count", value=report.published)
        obs.metrics.add_metric(name=OLDEST_WAITING_METRIC, unit="Seconds", value=report.oldest_waiting_seconds)
        if report.failure:
            obs.logger.error("events could not be relayed; they wait in the outbox", extra=report.__dict__)
            raise RelayFailedError(report.failure)
        if report.published or report.oldest_waiting_seconds:
            obs.logger.info("events relayed", extra=report.__dict__)
        return dict(report.__dict__)

    return relay


async def record_and_relay[T](
    finished: asyncio.Queue[T | None],
    batch_size: int,
    record: Callable[[list[T]], object],
    written: Callable[[], int],
    relay: Callable[[], object],
) -> None:
    """Record what comes in on `finished` until its end (None): a batch at a time, each what has come in
    while the previous one was written (at least one item, at most `batch_size`), in a thread. The events
    the batches wrote (`written`, a running count) go to the bus from one relay at a time, in a thread
    beside the writes rather than between them, and once more at the end for what the last relay missed."""
    relayed = 0  # events written before the running (or last) relay began
    relaying: asyncio.Task[object] | None = None
    done = False
    while not done:
        batch, done = await _next_batch(finished, batch_size)
        if batch:
            await asyncio.to_thread(record, batch)
        count = written()
        if count > relayed and (relaying is None or relaying.done()):
            relayed, relaying = count, asyncio.create_task(asyncio.to_thread(relay))
    if relaying is not None:
        await relaying
    if written() > relayed:
        await asyncio.to_thread(relay)


async def _next_batch[T](finished: asyncio.Queue[T | None], batch_size: int) -> tuple[list[T], bool]:
    """What has come in: at least one item (waited for), then whatever is already there, at most
    `batch_size`; and whether the end (None) was reached."""
    batch: list[T] = []
    item = await finished.get()
    while item is not None:
        batch.append(item)
        if len(batch) >= batch_size or finished.empty():
            return batch, False
        item = finished.get_nowait()
    return batch, True

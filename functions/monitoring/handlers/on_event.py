"""Subscribed to jobs' transitions and services' checks: each event folded into the dashboards'
aggregates once, in the transaction that records it in the inbox; its business metrics are sent once
that transaction has committed (never for a duplicate, nor twice for a retried event)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fip_core.container import per_container
from fip_core.observability import observability
from fip_core.tasks import task_handler
from monitoring import DOMAIN

if TYPE_CHECKING:
    from fip_core.subscribers import Subscriber
    from monitoring.dal.repository import MonitoringRepository
    from monitoring.logic.events import Ledger

obs = observability(DOMAIN)


@per_container
def ledger() -> Ledger:
    """The consumers of this container, with the metrics of the event being applied."""
    from monitoring.logic.events import Ledger

    return Ledger()


def subscriber_of(consumers: Ledger) -> Subscriber[MonitoringRepository]:
    """The shared subscriber applying events with these consumers: one at a time, or in batches."""
    from fip_core.subscribers import Subscriber
    from monitoring.dal.unit_of_work import STORE

    return Subscriber(STORE, consumers.consumers(), obs, settle=consumers.settle, prepare=consumers.prepare)


@per_container
def subscriber() -> Subscriber[MonitoringRepository]:
    """The shared subscriber with this container's consumers, made on the first invocation."""
    return subscriber_of(ledger())


def receive(event: dict[str, Any]) -> dict[str, Any]:
    """Apply one event once, then send the metrics it made."""
    signals = ledger().signals
    signals.take()  # anything left by an invocation that failed was never committed
    outcome = subscriber().receive(event).as_dict()
    for name, unit, value in signals.take():
        obs.metrics.add_metric(name=name, unit=unit, value=value)
    return outcome


handler = task_handler(obs, receive)

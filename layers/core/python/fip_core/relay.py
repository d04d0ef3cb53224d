"""The scheduled relay every publishing domain runs each minute: it publishes what the relay after a
commit could not (the bus was unreachable, the container was stopped between commit and relay),
and reports how long the oldest event has waited, which an alarm watches."""

from __future__ import annotations

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

"""Subscribed to the events people are told about: each becomes one message in the transaction that
records it in the inbox; then the messages waiting are dispatched and their email sent, after that
commit. When something is left (the users domain did not answer, SES throttled), the run fails after
its commit: Lambda invokes it again with the same event, a duplicate by then, and the next run
dispatches what waits; after Lambda's last retry the event goes to the domain's dead-letter queue,
whose alarm tells the operators, and a redrive sends what still waits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fip_core.container import per_container
from fip_core.observability import observability
from fip_core.tasks import task_handler
from notifications import DOMAIN

if TYPE_CHECKING:
    from fip_core.subscribers import Subscriber
    from notifications.dal.repository import NotificationsRepository

obs = observability(DOMAIN)


@per_container
def subscriber() -> Subscriber[NotificationsRepository]:
    """The shared subscriber with this domain's consumers, made on the first invocation."""
    from fip_core.subscribers import Subscriber
    from notifications.dal.unit_of_work import STORE
    from notifications.handlers.wiring import utc_now
    from notifications.logic.events import MessageMaker

    return Subscriber(STORE, MessageMaker(utc_now).consumers(), obs)


class DispatchIncompleteError(RuntimeError):
    """Messages or email were left waiting: the invocation fails so that Lambda retries it."""


def receive(event: dict[str, Any]) -> dict[str, Any]:
    """Apply one event once, then dispatch what is waiting; fail if something is left."""
    from notifications.handlers.wiring import notifications_adapters
    from notifications.logic.dispatch import dispatch
    from notifications.settings import notifications_settings

    outcome = subscriber().receive(event).as_dict()
    report = dispatch(notifications_adapters(), notifications_settings())
    obs.logger.info("dispatched", extra=report.__dict__)
    if report.waiting or report.retrying:
        raise DispatchIncompleteError(
            f"{report.waiting} messages wait for their recipients, {report.retrying} emails for another try"
        )
    return outcome | {"dispatch": report.__dict__}


handler = task_handler(obs, receive)

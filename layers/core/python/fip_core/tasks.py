"""The Lambda entry point of every function that is not an HTTP API: scheduled, event-driven,
directly invoked, and the authorizer. Kept apart from `fip_core.http` so that these functions do
not import the HTTP resolver and its OpenAPI machinery on a cold start, and importing nothing
heavier than Powertools' logger and metrics: what a function runs (SQLAlchemy, pydantic models,
AWS clients) is imported when it is first invoked (bench/cold_start.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.logging import correlation_paths

from fip_core.observability import LambdaHandler, Observability

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from fip_core.platform_events import DomainEvent
    from fip_core.repository import DomainRepository, DomainStore
    from fip_core.subscribers import Consumer, Subscriber

__all__ = ["LambdaHandler", "relay_handler", "subscriber_handler", "task_handler"]


def task_handler(
    obs: Observability, task: Callable[[dict[str, Any]], Any], correlation_id_path: str = correlation_paths.EVENT_BRIDGE
) -> LambdaHandler:
    """The Lambda entry point of a scheduled, event-driven or directly invoked function, with the
    same Powertools order as the API handler; a pydantic result is answered as JSON. Nothing it
    answers is recorded in traces (fip_core.observability): some answers carry secrets (a decrypted
    token, an authorizer's principal)."""

    def handler(event: dict[str, Any], _context: LambdaContext) -> dict[str, Any]:
        result = task(event)
        # a pydantic model (duck-typed: pydantic is imported by the task when it needs it, not here)
        dump = getattr(result, "model_dump", None)
        return dump(mode="json") if callable(dump) else result  # type: ignore[no-any-return]

    return obs.entry_point(handler, correlation_id_path)


def relay_handler(obs: Observability, store: Callable[[], DomainStore[Any]]) -> LambdaHandler:
    """The Lambda entry point of a domain's scheduled relay (fip_core.relay); `store` imports the
    domain's store when the function is first invoked."""

    def relay(event: dict[str, Any]) -> dict[str, Any]:
        from fip_core.relay import relay_task  # noqa: PLC0415 - on the first invocation, not the import

        return relay_task(obs, store())(event)

    return task_handler(obs, relay)


def subscriber_handler[R: DomainRepository](
    obs: Observability,
    store: Callable[[], DomainStore[R]],
    consumers: Callable[[], Mapping[type[DomainEvent], Consumer[R]]],
) -> LambdaHandler:
    """The Lambda entry point of a subscriber function (fip_core.subscribers); `store` and `consumers`
    import the domain's store and what applies each event when the function is first invoked."""
    made: list[Subscriber[R]] = []

    def receive(event: dict[str, Any]) -> dict[str, Any]:
        if not made:
            from fip_core.subscribers import Subscriber  # noqa: PLC0415 - on the first invocation, not the import

            made.append(Subscriber(store(), consumers(), obs))
        return made[0].receive(event).as_dict()

    return task_handler(obs, receive)

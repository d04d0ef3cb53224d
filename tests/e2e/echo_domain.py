"""A domain made up for the tests, declaring what the registry does not yet use: its API puts an
event on the bus, a subscriber records what it receives, and a schedule ticks. Each fails once on
request, to show that the platform retries events and survives failing schedules and handlers."""

from __future__ import annotations

import json
import threading
from typing import Any, ClassVar

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from fip_core.access import Access
from fip_core.aws import aws_client
from fip_core.declaration import (
    DomainDeclaration,
    EventSubscription,
    FunctionDeclaration,
    HttpRoute,
    Schedule,
)
from fip_core.platform_events import DomainEvent
from fip_core.settings import platform_settings

SOURCE = "fip.echo"


class EchoRequested(DomainEvent):
    """What the echo API puts on the bus (its detail is the request body, with no envelope)."""

    name: ClassVar[str] = "EchoRequested"


DETAIL_TYPE = EchoRequested.name


class Recorder:
    """What the echo functions were called with, shared with the test."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[dict[str, Any]] = []
        self.failed_event_ids: list[str] = []
        self.ticks = 0

    def reset(self) -> None:
        """Forget everything recorded."""
        with self.lock:
            self.received.clear()
            self.failed_event_ids.clear()
            self.ticks = 0


RECORDER = Recorder()
app = APIGatewayHttpResolver(enable_validation=True)


@app.post("/echo")
def echo() -> dict[str, Any]:
    """Put the request body on the bus as an EchoRequested event."""
    detail = app.current_event.json_body
    answer = aws_client("events").put_events(
        Entries=[
            {
                "Source": SOURCE,
                "DetailType": DETAIL_TYPE,
                "Detail": json.dumps(detail),
                "EventBusName": platform_settings().event_bus_name,
            }
        ]
    )
    return {"event_id": answer["Entries"][0]["EventId"]}


@app.get("/echo/boom")
def boom() -> dict[str, Any]:
    """Fail, for the gateway's 502."""
    raise RuntimeError("the echo API fails here on purpose")


@app.get("/echo/<word>")
def echo_word(word: str) -> dict[str, Any]:
    """Answer the path parameter and the query as the function received them."""
    return {"word": word, "query": app.current_event.query_string_parameters or {}}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The echo API function."""
    return app.resolve(event, context)


def migrate(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Nothing to migrate."""
    return {"domain": "echo", "revision": "none"}


def record(event: dict[str, Any], context: Any) -> None:
    """The subscriber: records each event, failing the first delivery of one that asks for it, and
    every delivery of one that asks for that."""
    with RECORDER.lock:
        if event["detail"].get("fail_always"):
            RECORDER.failed_event_ids.append(event["id"])
            raise RuntimeError("failing every delivery on purpose")
        if event["detail"].get("fail_first") and event["id"] not in RECORDER.failed_event_ids:
            RECORDER.failed_event_ids.append(event["id"])
            raise RuntimeError("failing the first delivery on purpose")
        RECORDER.received.append(event)


def tick(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The scheduled function: counts its firings and fails the first."""
    with RECORDER.lock:
        RECORDER.ticks += 1
        if RECORDER.ticks == 1:
            raise RuntimeError("failing the first tick on purpose")
        return {"ticks": RECORDER.ticks, "rule": event["resources"][0]}


def _function(name: str, handler_name: str) -> FunctionDeclaration:
    return FunctionDeclaration(name=name, handler=f"{__name__}.{handler_name}", description=name, timeout_seconds=5)


DECLARATION = DomainDeclaration(
    name="echo",
    functions=(
        _function("api", "handler"),
        _function("migrate", "migrate"),
        _function("record", "record"),
        _function("tick", "tick"),
    ),
    api_function="api",
    migrations_function="migrate",
    routes=(
        HttpRoute("POST", "/echo", Access.PUBLIC),
        HttpRoute("GET", "/echo/boom", Access.PUBLIC),
        HttpRoute("GET", "/echo/{word}", Access.PUBLIC),
    ),
    subscriptions=(EventSubscription("record", (EchoRequested,), (SOURCE,)),),
    schedules=(Schedule(name="tick", function="tick", rate_minutes=1, description="Counts"),),
)

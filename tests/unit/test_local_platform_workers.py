"""What runs the functions locally, without sockets: the warm containers, schedule firings, event
delivery from a queue, the subscription rules and the merged OpenAPI document."""

from __future__ import annotations

import json
import logging
import threading
from typing import Any, ClassVar

import pytest
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from fip_core.access import Access
from fip_core.declaration import DomainDeclaration, EventSubscription, FunctionDeclaration, HttpRoute, Schedule
from fip_core.platform_events import DomainEvent
from local_platform.aws import SubscriptionQueue, event_pattern
from local_platform.lambdas import FunctionRuntime, import_handler
from local_platform.openapi import merge_schemas, resolver_schema
from local_platform.scheduler import SUMMARY_LENGTH, ScheduleTimer, summarise
from local_platform.subscriptions import SubscriptionPoller


class ItemSold(DomainEvent):
    name: ClassVar[str] = "ItemSold"


class ItemLost(DomainEvent):
    name: ClassVar[str] = "ItemLost"


DOMAIN = DomainDeclaration(
    name="shop",
    functions=(
        FunctionDeclaration(name="api", handler="shop.api.handler", description="api"),
        FunctionDeclaration(name="migrate", handler="shop.migrate.handler", description="migrate"),
        FunctionDeclaration(name="restock", handler="shop.restock.handler", description="restock"),
    ),
    api_function="api",
    migrations_function="migrate",
    routes=(HttpRoute("GET", "/items", Access.PUBLIC),),
    subscriptions=(EventSubscription("restock", (ItemSold, ItemLost), ("fip.shop",)),),
    schedules=(Schedule(name="nightly", function="restock", rate_minutes=5, description="restock"),),
)


# --- warm containers -----------------------------------------------------------------------------


def test_handler_is_loaded_once_and_called_with_a_context() -> None:
    loaded: list[str] = []
    calls: list[tuple[Any, Any]] = []

    def loader(path: str) -> Any:
        loaded.append(path)

        def handler(event: Any, context: Any) -> dict[str, bool]:
            calls.append((event, context))
            return {"ok": True}

        return handler

    runtime = FunctionRuntime((DOMAIN,), loader)
    assert runtime.invoke("shop", "restock", {"n": 1}) == {"ok": True}
    runtime.invoke("shop", "restock", {"n": 2})
    assert loaded == ["shop.restock.handler"]
    assert [event for event, _ in calls] == [{"n": 1}, {"n": 2}]
    contexts = [context for _, context in calls]
    assert contexts[0].function_name == "shop-restock"
    assert contexts[0].aws_request_id != contexts[1].aws_request_id


class _WatchedLock:
    """A lock that says when someone starts waiting for it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.waiting = threading.Semaphore(0)

    def __enter__(self) -> None:
        self.waiting.release()
        self.lock.acquire()

    def __exit__(self, *_: object) -> None:
        self.lock.release()


def test_one_invocation_at_a_time_per_function() -> None:
    first_inside = threading.Event()
    release = threading.Event()
    overlapping: list[bool] = []
    active: list[int] = []

    def slow(event: Any, context: Any) -> None:
        overlapping.append(bool(active))
        active.append(1)
        first_inside.set()
        release.wait(5)
        active.pop()

    runtime = FunctionRuntime((DOMAIN,), lambda path: slow)
    lock = _WatchedLock()
    runtime.function("shop", "restock")._lock = lock  # type: ignore[assignment]  # noqa: SLF001
    first = threading.Thread(target=runtime.invoke, args=("shop", "restock", {}))
    first.start()
    assert first_inside.wait(5)
    second = threading.Thread(target=runtime.invoke, args=("shop", "restock", {}))
    second.start()
    # both have asked for the container: the second is at the lock while the first is still inside
    assert lock.waiting.acquire(timeout=5)
    assert lock.waiting.acquire(timeout=5)
    release.set()
    for thread in (first, second):
        thread.join(5)
    assert overlapping == [False, False], "the second invocation waited for the first"


def test_unknown_function_and_bad_handler_paths() -> None:
    with pytest.raises(KeyError, match="no function 'nope'"):
        FunctionRuntime((DOMAIN,)).invoke("shop", "nope", {})
    with pytest.raises(ValueError, match="dotted path"):
        import_handler("handler")
    with pytest.raises(TypeError, match="not callable"):
        import_handler("local_platform.gateway.MAX_BODY_BYTES")
    assert import_handler("operator.add")(2, 3) == 5


# --- schedules -----------------------------------------------------------------------------------


def test_firing_sends_the_scheduled_event_and_logs_a_status_line(caplog: pytest.LogCaptureFixture) -> None:
    events: list[dict[str, Any]] = []

    def sweep(event: dict[str, Any]) -> dict[str, int]:
        events.append(event)
        return {"checked": 3}

    with caplog.at_level(logging.INFO, logger="local_platform"):
        assert ScheduleTimer(DOMAIN, DOMAIN.schedules[0], 60, sweep).fire() is True
    assert events[0]["detail-type"] == "Scheduled Event"
    assert events[0]["resources"] == ["arn:aws:events:eu-west-1:123456789012:rule/shop-nightly"]
    line = caplog.messages[-1]
    assert line.startswith("[schedule] shop-nightly -> shop-restock: ok in")
    assert line.endswith('{"checked":3}')


def test_a_failing_firing_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    def failing(event: Any) -> None:
        raise RuntimeError("database is down")

    assert ScheduleTimer(DOMAIN, DOMAIN.schedules[0], 60, failing).fire() is False
    record = caplog.records[-1]
    assert "shop-nightly -> shop-restock: failed" in record.getMessage()
    assert record.exc_info is not None
    assert "database is down" in str(record.exc_info[1])


def test_summary_is_cut_short() -> None:
    assert summarise({"a": 1}) == '{"a":1}'
    long = summarise({"text": "x" * 1000})
    assert len(long) == SUMMARY_LENGTH
    assert long.endswith("...")


# --- event delivery ------------------------------------------------------------------------------


class FakeQueue:
    """Records what the poller asks of SQS."""

    def __init__(self) -> None:
        self.deleted: list[str] = []
        self.delayed: list[tuple[str, int]] = []

    def delete_message(self, QueueUrl: str, ReceiptHandle: str) -> None:  # noqa: N803 - boto3's names
        self.deleted.append(ReceiptHandle)

    def change_message_visibility(self, QueueUrl: str, ReceiptHandle: str, VisibilityTimeout: int) -> None:  # noqa: N803
        self.delayed.append((ReceiptHandle, VisibilityTimeout))


QUEUE = SubscriptionQueue(
    "shop", "restock", "shop-restock-subscription", "shop-restock", "http://q", "dlq", {}, "fip-events"
)


def message(body: str) -> dict[str, Any]:
    return {"Body": body, "ReceiptHandle": "r-1", "Attributes": {"ApproximateReceiveCount": "1"}}


def test_delivered_event_is_deleted(caplog: pytest.LogCaptureFixture) -> None:
    sqs = FakeQueue()
    received: list[dict[str, Any]] = []
    caplog.set_level(logging.INFO, logger="local_platform")
    poller = SubscriptionPoller(QUEUE, sqs, received.append, retry_seconds=7)
    event = {"detail-type": "ItemSold", "source": "fip.shop", "detail": {"sku": "a"}}
    assert poller.deliver(message(json.dumps(event))) is True
    assert received == [event]
    assert sqs.deleted == ["r-1"]
    assert sqs.delayed == []
    assert caplog.messages[-1].startswith("[event] shop-restock <- ItemSold: ok")


def test_a_notification_from_a_topic_is_handed_on_as_snss_lambda_event() -> None:
    sqs = FakeQueue()
    received: list[dict[str, Any]] = []
    topic = "arn:aws:sns:eu-west-1:123456789012:shop-feedback"
    queue = SubscriptionQueue("shop", "feedback", f"{topic}:sub-1", "shop-feedback", "http://q", "dlq", {}, "", topic)
    # what SNS puts in a subscribed queue (not raw delivery)
    envelope = {
        "Type": "Notification",
        "MessageId": "m-1",
        "TopicArn": topic,
        "Message": '{"eventType": "Bounce"}',
        "Timestamp": "2026-12-02T01:00:00.000Z",
        "SignatureVersion": "1",
        "Signature": "c2ln",
        "SigningCertURL": "https://sns.eu-west-1.amazonaws.com/cert.pem",
        "UnsubscribeURL": "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe",
    }
    assert SubscriptionPoller(queue, sqs, received.append, retry_seconds=7).deliver(message(json.dumps(envelope)))
    [event] = received
    [record] = event["Records"]
    assert (record["EventSource"], record["EventVersion"], record["EventSubscriptionArn"]) == (
        "aws:sns",
        "1.0",
        f"{topic}:sub-1",
    )
    # the Lambda event's own spelling of two fields, and its empty attributes
    assert record["Sns"]["SigningCertUrl"] == envelope["SigningCertURL"]
    assert record["Sns"]["UnsubscribeUrl"] == envelope["UnsubscribeURL"]
    assert (record["Sns"]["Message"], record["Sns"]["MessageAttributes"]) == ('{"eventType": "Bounce"}', {})
    assert sqs.deleted == ["r-1"]


@pytest.mark.parametrize("body", ['{"detail-type": "ItemSold"}', "not json"])
def test_failed_delivery_is_kept_for_a_retry(body: str, caplog: pytest.LogCaptureFixture) -> None:
    def failing(event: Any) -> None:
        raise RuntimeError("out of stock")

    sqs = FakeQueue()
    assert SubscriptionPoller(QUEUE, sqs, failing, retry_seconds=7).deliver(message(body)) is False
    assert sqs.deleted == []
    assert sqs.delayed == [("r-1", 7)]
    assert "retry in 7 s" in caplog.messages[-1]


def test_subscription_pattern() -> None:
    assert event_pattern(DOMAIN.subscriptions[0]) == {"detail-type": ["ItemSold", "ItemLost"], "source": ["fip.shop"]}
    assert event_pattern(EventSubscription("restock", (ItemSold,))) == {"detail-type": ["ItemSold"]}


# --- OpenAPI -------------------------------------------------------------------------------------


def test_documents_of_the_domains_are_merged() -> None:
    shop, bank = APIGatewayHttpResolver(enable_validation=True), APIGatewayHttpResolver(enable_validation=True)

    @shop.get("/items", tags=["Shop"])
    def items() -> list[str]:
        return []

    @bank.post("/payments", tags=["Bank"])
    def pay() -> dict[str, int]:
        return {}

    merged = merge_schemas([resolver_schema(shop), resolver_schema(bank)], title="Everything", version="9")
    assert merged["info"] == {"title": "Everything", "version": "9"}
    assert set(merged["paths"]) == {"/items", "/payments"}
    assert "get" in merged["paths"]["/items"]
    assert merged["paths"]["/payments"]["post"]["tags"] == ["Bank"]
    json.dumps(merged)  # plain JSON values only

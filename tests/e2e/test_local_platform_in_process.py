"""`LocalPlatform` started in-process with a made-up domain, for what the registry does not declare
yet: event subscriptions delivered through EventBridge rules and SQS queues, retried on failure, and
schedules and handlers that fail without taking the platform down."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import httpx
import pytest

from local_platform.aws import aws_client
from local_platform.platform import LocalPlatform
from tests.e2e import echo_domain
from tests.e2e.echo_domain import RECORDER
from tests.support.platform_process import LOCAL_AWS_KINDS, eventually, platform_in_process, queue_is_empty

pytestmark = pytest.mark.e2e

DEADLINE_SECONDS = 20


@pytest.fixture(scope="module", params=LOCAL_AWS_KINDS)
def echo_platform(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPlatform]:
    """The platform serving only the echo domain, on free ports, retrying failed events at once; on
    moto, then on LocalStack."""
    state = tmp_path_factory.mktemp("state")
    settings = {"schedule_seconds": 0.2, "event_retry_seconds": 0}
    with platform_in_process((echo_domain.DECLARATION,), request.param, state, **settings) as platform:
        assert os.environ["AWS_ENDPOINT_URL"] == platform.aws_endpoint
        yield platform


@pytest.fixture(autouse=True)
def fresh_recorder() -> None:
    """Each test sees only what the echo functions received during it."""
    RECORDER.reset()


def test_describes_rules_and_schedules(echo_platform: LocalPlatform) -> None:
    description = echo_platform.describe()
    assert "schedule    echo-tick -> echo-tick: every 0.2 s here, every 1 min in the cloud" in description
    assert '"detail-type": ["EchoRequested"], "source": ["fip.echo"]' in description
    assert "queue echo-record -> echo-record (dead letters: echo-record-dlq)" in description
    assert "echo: " in description
    assert "migrated to revision none" in description


def test_event_reaches_the_subscriber_and_is_retried_after_a_failure(echo_platform: LocalPlatform) -> None:
    sent = httpx.post(f"{echo_platform.url}/echo", json={"word": "hello", "fail_first": True})
    assert sent.status_code == 200, sent.text

    def delivered() -> list[dict[str, object]] | None:
        with RECORDER.lock:
            return list(RECORDER.received) or None

    received = eventually(delivered, DEADLINE_SECONDS, "delivery of the echo event")
    assert len(received) == 1
    event = received[0]
    assert event["id"] == sent.json()["event_id"]
    assert event["source"] == "fip.echo"
    assert event["detail-type"] == "EchoRequested"
    assert event["detail"] == {"word": "hello", "fail_first": True}
    assert RECORDER.failed_event_ids == [event["id"]], "the first delivery failed and was retried"

    eventually(lambda: queue_is_empty(echo_platform, "record") or None, DEADLINE_SECONDS, "the message deleted")


def test_an_event_its_subscriber_always_fails_on_ends_in_the_dead_letters_not_lost(
    echo_platform: LocalPlatform,
) -> None:
    sent = httpx.post(f"{echo_platform.url}/echo", json={"word": "poison", "fail_always": True})
    assert sent.status_code == 200, sent.text
    queue = next(q for q in echo_platform.queues if q.function == "record")
    sqs = aws_client("sqs", echo_platform.aws_endpoint)
    dead_letters = sqs.get_queue_url(QueueName=queue.dead_letter_queue_name)["QueueUrl"]

    def dead_lettered() -> dict[str, object] | None:
        messages = sqs.receive_message(QueueUrl=dead_letters, WaitTimeSeconds=1).get("Messages", [])
        return json.loads(messages[0]["Body"]) if messages else None

    event = eventually(dead_lettered, DEADLINE_SECONDS, "the failing event in the dead-letter queue")
    assert event["id"] == sent.json()["event_id"]
    assert event["detail"] == {"word": "poison", "fail_always": True}
    with RECORDER.lock:
        assert RECORDER.failed_event_ids == [event["id"]] * 3, "tried three times, as the CDK rule targets do"
        assert RECORDER.received == []


def test_event_of_another_type_is_not_delivered(echo_platform: LocalPlatform) -> None:
    events = aws_client("events", echo_platform.aws_endpoint)
    events.put_events(
        Entries=[
            {
                "Source": "fip.echo",
                "DetailType": "SomethingElse",
                "Detail": json.dumps({}),
                "EventBusName": "fip-events",
            },
            {
                "Source": "fip.other",
                "DetailType": "EchoRequested",
                "Detail": json.dumps({}),
                "EventBusName": "fip-events",
            },
            {
                "Source": "fip.echo",
                "DetailType": "EchoRequested",
                "Detail": json.dumps({"n": 1}),
                "EventBusName": "fip-events",
            },
        ]
    )

    def delivered_and_queue_drained() -> list[dict[str, object]] | None:
        drained = queue_is_empty(echo_platform, "record")
        with RECORDER.lock:
            received = list(RECORDER.received)
        return received if received and drained else None

    received = eventually(delivered_and_queue_drained, DEADLINE_SECONDS, "delivery of the matching event")
    assert [event["detail"] for event in received] == [{"n": 1}]


def test_schedule_keeps_firing_after_a_failure(echo_platform: LocalPlatform) -> None:
    def ticked_again() -> int | None:
        with RECORDER.lock:
            return RECORDER.ticks if RECORDER.ticks >= 3 else None

    eventually(ticked_again, DEADLINE_SECONDS, "three ticks, the first of them failing")


def test_gateway_passes_path_and_query_and_survives_a_failing_handler(echo_platform: LocalPlatform) -> None:
    answer = httpx.get(f"{echo_platform.url}/echo/h%C3%A9llo", params={"x": "1"})
    assert answer.status_code == 200
    assert answer.json() == {"word": "héllo", "query": {"x": "1"}}

    failed = httpx.get(f"{echo_platform.url}/echo/boom")
    assert failed.status_code == 502
    assert failed.headers["content-type"] == "application/problem+json"
    assert failed.json()["title"] == "Internal Server Error"

    assert httpx.get(f"{echo_platform.url}/echo/again").status_code == 200

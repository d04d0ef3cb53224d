"""moto in server mode for the tests, with a queue that captures what reaches the event bus."""

from __future__ import annotations

import json
import logging
from typing import Any

import boto3
import httpx

from local_platform.aws import MotoEndpoint, ensure_event_bus, queue_arn

CAPTURE_QUEUE = "captured-events"
logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request log drowns the test output


class MotoServer(MotoEndpoint):
    """The local platform's moto endpoint, with what the tests ask of it besides."""

    def __init__(self) -> None:
        super().__init__()
        self._queue_url: str | None = None

    def client(self, service: str) -> Any:
        """A boto3 client bound to this server."""
        return boto3.client(service, endpoint_url=self.endpoint)

    def reset(self) -> None:
        """Forget every resource, as a new account would start."""
        httpx.post(f"{self.endpoint}/moto-api/reset").raise_for_status()
        self._queue_url = None

    def create_bus_with_capture(self, bus_name: str) -> None:
        """Create the event bus and route every event on it to a capture queue."""
        events, sqs = self.client("events"), self.client("sqs")
        ensure_event_bus(events, bus_name)
        self._queue_url = sqs.create_queue(QueueName=CAPTURE_QUEUE)["QueueUrl"]
        events.put_rule(
            Name="capture-all", EventBusName=bus_name, EventPattern=json.dumps({"account": [{"exists": True}]})
        )
        events.put_targets(
            Rule="capture-all",
            EventBusName=bus_name,
            Targets=[{"Id": "capture", "Arn": queue_arn(sqs, self._queue_url)}],
        )

    def captured_events(self, detail_type: str | None = None) -> list[dict[str, Any]]:
        """The events that reached the bus since last asked (of one detail type, if given), oldest first."""
        assert self._queue_url, "call create_bus_with_capture first"
        sqs = self.client("sqs")
        events: list[dict[str, Any]] = []
        while True:
            answer = sqs.receive_message(QueueUrl=self._queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            messages = answer.get("Messages", [])
            if not messages:
                return [e for e in events if detail_type is None or e["detail-type"] == detail_type]
            for message in messages:
                events.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"])

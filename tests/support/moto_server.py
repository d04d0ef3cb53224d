"""moto in server mode for the tests, with a queue that captures what reaches the event bus."""

from __future__ import annotations

import json
import logging
from typing import Any

import boto3
import httpx
from moto.server import ThreadedMotoServer

from tests.support.postgres import free_port

CAPTURE_QUEUE = "captured-events"
logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request log drowns the test output


class MotoServer:
    """A moto server on a free loopback port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._queue_url: str | None = None

    def start(self) -> None:
        """Start serving."""
        self._server.start()

    def stop(self) -> None:
        """Stop serving."""
        self._server.stop()

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
        events.create_event_bus(Name=bus_name)
        self._queue_url = sqs.create_queue(QueueName=CAPTURE_QUEUE)["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=self._queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        events.put_rule(
            Name="capture-all", EventBusName=bus_name, EventPattern=json.dumps({"account": [{"exists": True}]})
        )
        events.put_targets(Rule="capture-all", EventBusName=bus_name, Targets=[{"Id": "capture", "Arn": queue_arn}])

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

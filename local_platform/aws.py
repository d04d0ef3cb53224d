"""The AWS side of the platform on one machine: moto in server mode on loopback, and the resources the
CDK app would create for the declared event subscriptions (the bus, a queue and a rule each)."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
from dataclasses import dataclass
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from fip_core.aws import client_config
from fip_core.declaration import DomainDeclaration, EventSubscription
from local_platform.config import FAKE_CREDENTIALS, REGION
from local_platform.moto_gaps import fill_moto_gaps

LAMBDA_VISIBILITY_FACTOR = 6  # AWS's advice for a queue feeding a function: six times its timeout
MAX_VISIBILITY_SECONDS = 43_200
MAX_RECEIVE_COUNT = 3  # as the CDK rule targets: 2 retries after the first delivery, then the dead letters
# The queue pollers long-poll (subscriptions.POLL_WAIT_SECONDS): a read may take that long and then some
# on a loaded machine, and an answer given up on hides its messages until their visibility timeout ends.
READ_TIMEOUT_SECONDS = 15.0


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def aws_client(service: str, endpoint: str) -> Any:
    """A boto3 client for the local endpoint, with the fake credentials whatever the environment says,
    and the platform's timeouts and retries but for a read timeout that allows long polls."""
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=FAKE_CREDENTIALS["AWS_SESSION_TOKEN"],
        config=client_config(read_timeout=READ_TIMEOUT_SECONDS),
    )


class MotoEndpoint:
    """moto in server mode on a loopback port, in a thread of this process."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)

    def start(self) -> None:
        """Start serving; returns once the port is bound."""
        # werkzeug would log the first request moto serves, and the platform prints its own lines
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        fill_moto_gaps()
        self._server.start()

    def stop(self) -> None:
        """Stop serving."""
        self._server.stop()


@dataclass(frozen=True)
class SubscriptionQueue:
    """What delivers one subscription's events: a rule on the bus sending to a queue a poller reads."""

    domain: str
    function: str
    rule_name: str
    queue_name: str
    queue_url: str
    dead_letter_queue_name: str
    pattern: dict[str, Any]


def event_pattern(subscription: EventSubscription) -> dict[str, Any]:
    """The EventBridge pattern of a subscription: its detail types, and its sources if it names any."""
    pattern: dict[str, Any] = {"detail-type": list(subscription.detail_types)}
    if subscription.sources:
        pattern["source"] = list(subscription.sources)
    return pattern


def ensure_event_bus(events: Any, bus_name: str) -> None:
    """Create the platform's bus unless it exists (it may, on a long-lived LocalStack)."""
    with contextlib.suppress(events.exceptions.ResourceAlreadyExistsException):
        events.create_event_bus(Name=bus_name)


def provision(endpoint: str, bus_name: str, domains: tuple[DomainDeclaration, ...]) -> list[SubscriptionQueue]:
    """The bus, and for each subscription a queue (with a dead-letter queue) and a rule targeting it."""
    events, sqs = aws_client("events", endpoint), aws_client("sqs", endpoint)
    ensure_event_bus(events, bus_name)
    created = []
    for domain in domains:
        for index, subscription in enumerate(domain.subscriptions):
            function = domain.function(subscription.function)
            name = f"{domain.name}-{function.name}"
            if sum(1 for other in domain.subscriptions if other.function == function.name) > 1:
                name += f"-{index + 1}"  # a function subscribed twice gets a queue per subscription
            dead_letters = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
            visibility = min(function.timeout_seconds * LAMBDA_VISIBILITY_FACTOR, MAX_VISIBILITY_SECONDS)
            redrive = {"deadLetterTargetArn": queue_arn(sqs, dead_letters), "maxReceiveCount": MAX_RECEIVE_COUNT}
            queue_url = sqs.create_queue(
                QueueName=name,
                Attributes={"VisibilityTimeout": str(visibility), "RedrivePolicy": json.dumps(redrive)},
            )["QueueUrl"]
            pattern = event_pattern(subscription)
            rule_name = f"{name}-subscription"
            events.put_rule(Name=rule_name, EventBusName=bus_name, EventPattern=json.dumps(pattern), State="ENABLED")
            events.put_targets(
                Rule=rule_name, EventBusName=bus_name, Targets=[{"Id": "queue", "Arn": queue_arn(sqs, queue_url)}]
            )
            created.append(
                SubscriptionQueue(domain.name, function.name, rule_name, name, queue_url, f"{name}-dlq", pattern)
            )
    return created


def queue_arn(sqs: Any, queue_url: str) -> str:
    """The ARN of a queue, which rules and redrive policies name it by."""
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]
    return str(attributes["QueueArn"])

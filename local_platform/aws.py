"""The AWS side of the platform on one machine: moto in server mode on loopback (its state kept in a
file when asked), where each AWS service is reached, and the resources the CDK app would create for
the declared event subscriptions (the bus, a queue and a rule each: domain events on the platform's
bus, AWS services' events on the default bus) and for resources' notifications (a queue subscribed
to the resource's SNS topic)."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import botocore.session
from moto.moto_api._internal.models import moto_api_backend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from fip_core.aws import client_config
from fip_core.declaration import DomainDeclaration, EventSubscription
from fip_core.resources import AwsEventSubscription, ResourceSpec
from local_platform.config import FAKE_CREDENTIALS, REGION
from local_platform.moto_gaps import fill_moto_gaps
from local_platform.moto_state import MotoState

LAMBDA_VISIBILITY_FACTOR = 6  # AWS's advice for a queue feeding a function: six times its timeout
MAX_VISIBILITY_SECONDS = 43_200
MAX_RECEIVE_COUNT = 3  # as the CDK rule targets: 2 retries after the first delivery, then the dead letters
# The queue pollers long-poll (subscriptions.POLL_WAIT_SECONDS): a read may take that long and then some
# on a loaded machine, and an answer given up on hides its messages until their visibility timeout ends.
READ_TIMEOUT_SECONDS = 15.0
DEFAULT_BUS = "default"  # where AWS services send their events


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
    """moto in server mode on a loopback port, in a thread of this process; with a state file, what
    it holds is loaded from the file at start and saved to it as it changes (`MotoState`).

    moto's backends are global to a process: every moto server in it serves the same resources.
    """

    def __init__(self, port: int | None = None, state_file: Path | None = None, *, empty: bool = False) -> None:
        self.port = port or free_port()
        self.empty = empty  # begin with nothing, as an emulator in a process of its own would
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.state = MotoState(state_file) if state_file is not None else None
        self.restored = False
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Load the state file if there is one, then serve; returns once the port is bound."""
        # werkzeug would log the first request moto serves, and the platform prints its own lines
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        fill_moto_gaps()
        if self.state is not None:
            self.restored = self.state.restore()
        if self.empty or (self.state is not None and not self.restored):
            # the backends are the process's: a platform on a new state begins with nothing, not with
            # what an earlier platform of the same process (a test) left there
            moto_api_backend.reset()
        app: Any = DomainDispatcherApplication(create_backend_app)
        if self.state is not None:
            app = self.state.wsgi(app)
        self._server = make_server("127.0.0.1", self.port, app, threaded=True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, free the port and save the state once more."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None
        if self.state is not None:
            self.state.save()


@dataclass(frozen=True)
class AwsEndpoints:
    """Where the platform reaches AWS: one endpoint for every service, except those named in
    `by_service` (Cognito on moto beside LocalStack, which does not emulate it)."""

    default: str
    by_service: Mapping[str, str] = field(default_factory=dict)

    def endpoint(self, service: str) -> str:
        """The endpoint of one service, by its boto3 name (`cognito-idp`, `kms`)."""
        return self.by_service.get(service, self.default)

    def environment(self) -> dict[str, str]:
        """`AWS_ENDPOINT_URL` and a service-specific variable per exception, as boto3 reads them."""
        return {"AWS_ENDPOINT_URL": self.default} | {
            service_endpoint_variable(service): endpoint for service, endpoint in self.by_service.items()
        }


def service_endpoint_variable(service: str) -> str:
    """The variable boto3 reads for one service's endpoint: `AWS_ENDPOINT_URL_` and the service id
    in capitals with underscores (`cognito-idp` is `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`)."""
    service_id = botocore.session.get_session().get_service_model(service).service_id
    return f"AWS_ENDPOINT_URL_{service_id.replace(' ', '_').upper()}"


@dataclass(frozen=True)
class SubscriptionQueue:
    """What delivers one subscription's events: a rule on a bus sending to a queue a poller reads, or,
    for a resource's notifications, the queue's subscription to the resource's SNS topic (`topic_arn`;
    `rule_name` is then the subscription's ARN)."""

    domain: str
    function: str
    rule_name: str
    queue_name: str
    queue_url: str
    dead_letter_queue_name: str
    pattern: dict[str, Any]
    bus: str
    topic_arn: str = ""


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


def provision(
    endpoint: str,
    bus_name: str,
    domains: tuple[DomainDeclaration, ...],
    event_name: Callable[[str, AwsEventSubscription], str],
    topic_arn: Callable[[str, ResourceSpec], str],
) -> list[SubscriptionQueue]:
    """The bus, and for each subscription a queue (with a dead-letter queue) and a rule targeting it:
    on the platform's bus for domain events, on the default bus for AWS services' events about a
    resource (whose name where it runs `event_name` answers, by domain and subscription); for each
    function a resource notifies, a queue subscribed to the resource's SNS topic (`topic_arn` answers
    it, by domain and resource), as SNS delivers to a function in the cloud."""
    events, sqs, sns = aws_client("events", endpoint), aws_client("sqs", endpoint), aws_client("sns", endpoint)
    ensure_event_bus(events, bus_name)
    created = []
    for domain in domains:
        # (function, pattern, bus, topic): a rule on a bus, or a subscription to a resource's topic
        subscribed: list[tuple[str, dict[str, Any], str, str]] = [
            (subscription.function, event_pattern(subscription), bus_name, "") for subscription in domain.subscriptions
        ]
        subscribed += [
            (subscription.function, subscription.pattern(event_name(domain.name, subscription)), DEFAULT_BUS, "")
            for subscription in domain.aws_subscriptions
        ]
        subscribed += [
            (function, {}, "", topic_arn(domain.name, spec))
            for spec in domain.resources
            for function in spec.notified()
        ]
        for index, (function_name, pattern, bus, topic) in enumerate(subscribed):
            function = domain.function(function_name)
            name = f"{domain.name}-{function.name}"
            if sum(1 for other, *_ in subscribed if other == function.name) > 1:
                name += f"-{index + 1}"  # a function subscribed twice gets a queue per subscription
            dead_letters = ensure_queue(sqs, f"{name}-dlq", {})
            visibility = min(function.timeout_seconds * LAMBDA_VISIBILITY_FACTOR, MAX_VISIBILITY_SECONDS)
            redrive = {"deadLetterTargetArn": queue_arn(sqs, dead_letters), "maxReceiveCount": MAX_RECEIVE_COUNT}
            queue_url = ensure_queue(
                sqs, name, {"VisibilityTimeout": str(visibility), "RedrivePolicy": json.dumps(redrive)}
            )
            if topic:
                # SNS's envelope as the message body (not raw): the poller hands it on as SNS's Lambda event
                answer = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(sqs, queue_url))
                rule_name = str(answer["SubscriptionArn"])
            else:
                rule_name = f"{name}-subscription"
                events.put_rule(Name=rule_name, EventBusName=bus, EventPattern=json.dumps(pattern), State="ENABLED")
                events.put_targets(
                    Rule=rule_name, EventBusName=bus, Targets=[{"Id": "queue", "Arn": queue_arn(sqs, queue_url)}]
                )
            created.append(
                SubscriptionQueue(
                    domain.name, function.name, rule_name, name, queue_url, f"{name}-dlq", pattern, bus, topic
                )
            )
    return created


def ensure_queue(sqs: Any, name: str, attributes: dict[str, str]) -> str:
    """The URL of the named queue, made with these attributes, or given them if it exists with others:
    SQS refuses to create a queue whose name exists with other attributes (`QueueNameExists`), and a
    kept state or a long-lived emulator has the queue of an earlier run, made before a function's
    timeout changed."""
    try:
        return str(sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"])
    except sqs.exceptions.QueueNameExists:
        queue_url = str(sqs.get_queue_url(QueueName=name)["QueueUrl"])
        sqs.set_queue_attributes(QueueUrl=queue_url, Attributes=attributes)
        return queue_url


def queue_arn(sqs: Any, queue_url: str) -> str:
    """The ARN of a queue, which rules and redrive policies name it by."""
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]
    return str(attributes["QueueArn"])

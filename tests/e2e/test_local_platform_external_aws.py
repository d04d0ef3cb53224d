"""The platform pointed at an AWS emulator that is already running: it starts no moto of its own,
creates its resources there, and can start again on the same emulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from local_platform.aws import LAMBDA_VISIBILITY_FACTOR, aws_client
from local_platform.config import PlatformConfig
from local_platform.platform import LocalPlatform
from tests.e2e import echo_domain

pytestmark = pytest.mark.e2e


def test_uses_the_given_endpoint_and_tolerates_existing_resources(emulator: str, tmp_path: Path) -> None:
    sqs = aws_client("sqs", emulator)
    # a queue left by an earlier run, made before the function's timeout changed
    sqs.create_queue(QueueName="echo-record", Attributes={"VisibilityTimeout": "1"})
    config = PlatformConfig(port=0, state_dir=tmp_path, aws_endpoint_url=emulator)
    for _ in range(2):  # the second start finds the bus, queues and rules already there
        platform = LocalPlatform(config, (echo_domain.DECLARATION,), access_log=False)
        platform.start()
        try:
            assert platform.aws_endpoint == emulator
            assert f"{emulator} (from AWS_ENDPOINT_URL)" in platform.describe()
        finally:
            platform.stop()
    events = aws_client("events", emulator)
    assert "fip-events" in [bus["Name"] for bus in events.list_event_buses()["EventBuses"]]
    # moto's backends are one per process: rules of other tests' platforms may be there besides
    rules = events.list_rules(EventBusName="fip-events", NamePrefix="echo-")["Rules"]
    assert [rule["Name"] for rule in rules] == ["echo-record-subscription"]
    queue_url = sqs.get_queue_url(QueueName="echo-record")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
    timeout = echo_domain.DECLARATION.function("record").timeout_seconds
    assert attributes["VisibilityTimeout"] == str(timeout * LAMBDA_VISIBILITY_FACTOR)
    assert json.loads(attributes["RedrivePolicy"])["maxReceiveCount"] == 3

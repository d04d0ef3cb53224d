"""The platform pointed at an AWS emulator that is already running (as with LocalStack): it starts
no moto of its own, creates its resources there, and can start again on the same emulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from local_platform.aws import MotoEndpoint, aws_client
from local_platform.config import PlatformConfig
from local_platform.platform import LocalPlatform
from tests.e2e import echo_domain

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def emulator() -> Iterator[MotoEndpoint]:
    """A moto server standing in for LocalStack."""
    server = MotoEndpoint()
    server.start()
    yield server
    server.stop()


def test_uses_the_given_endpoint_and_tolerates_existing_resources(emulator: MotoEndpoint, tmp_path: Path) -> None:
    config = PlatformConfig(port=0, state_dir=tmp_path, aws_endpoint_url=emulator.endpoint)
    for _ in range(2):  # the second start finds the bus, queues and rules already there
        platform = LocalPlatform(config, (echo_domain.DECLARATION,), access_log=False)
        platform.start()
        try:
            assert platform.aws_endpoint == emulator.endpoint
            assert f"{emulator.endpoint} (from AWS_ENDPOINT_URL)" in platform.describe()
        finally:
            platform.stop()
    events = aws_client("events", emulator.endpoint)
    assert "fip-events" in [bus["Name"] for bus in events.list_event_buses()["EventBuses"]]
    rules = events.list_rules(EventBusName="fip-events")["Rules"]
    assert [rule["Name"] for rule in rules] == ["echo-record-subscription"]

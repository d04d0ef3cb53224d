"""The platform's own EventBridge bus, on which domains publish their events to one another."""

from __future__ import annotations

from aws_cdk import Aws
from aws_cdk import aws_events as events
from constructs import Construct

from fip_core.settings import EVENT_BUS_NAME
from infra.constants import EVENT_ARCHIVE_RETENTION


class PlatformEventBus(Construct):
    """The custom bus for domain events, archived so that events can be replayed after a fault."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.bus = events.EventBus(
            self, "Bus", event_bus_name=EVENT_BUS_NAME, description="Domain events of the Federated Imputation Platform"
        )
        self.bus.archive(
            "Archive",
            description="Every domain event, for replay",
            event_pattern=events.EventPattern(account=[Aws.ACCOUNT_ID]),
            retention=EVENT_ARCHIVE_RETENTION,
        )

"""What the notifications domain's tests share: people in the users domain, events as the bus delivers
them, the users domain's `contacts` behind the local Lambda Invoke API, and SES's sent mail read back
from moto."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fip_core.access import Grant, Principal, Role
from fip_core.platform_events import DomainEvent, EventMetadata, event_detail
from local_platform.events import eventbridge_event, lambda_context
from tests.support.api import invoke_api
from users.dal.unit_of_work import users_repository
from users.domain import NewProfile, UserStatus

ALICE = Principal(user_id="alice-0001", method="cognito", grants=[Grant(role=Role.RESEARCHER)])
BOB = Principal(user_id="bob-0002", method="cognito", grants=[Grant(role=Role.RESEARCHER)])
ADMIN = Principal(user_id="admin-0003", method="cognito", grants=[Grant(role=Role.ADMIN)])
ADDRESSES = {ALICE.user_id: "alice@example.org", BOB.user_id: "bob@example.org", ADMIN.user_id: "admin@example.org"}
NAMES = {ALICE.user_id: "Alice <Ada> Lovelace", BOB.user_id: "Bob", ADMIN.user_id: "Root"}


def add_people() -> None:
    """Alice and Bob (researchers) and an admin, active in the users domain."""
    now = datetime.now(UTC)
    with users_repository() as repo:
        for user_id, email in ADDRESSES.items():
            repo.users.add(user_id, email, NewProfile(name=NAMES[user_id]), UserStatus.ACTIVE, now)
        repo.grants.add(ADMIN.user_id, Role.ADMIN, None, None, None, now)


def bus_event(event: DomainEvent, domain: str, event_id: str | None = None) -> dict[str, Any]:
    """An event as EventBridge hands it to a subscriber, from the domain that publishes it."""
    metadata = EventMetadata(
        event_id=event_id or str(uuid.uuid4()),
        name=event.name,
        version=event.version,
        domain=domain,
        occurred_at=datetime.now(UTC),
    )
    return eventbridge_event(event.name, event_detail(event, metadata), f"fip.{domain}")


def deliver(event: dict[str, Any]) -> dict[str, Any]:
    """Hand an event to the on-event function, as the rule does."""
    from notifications.handlers.on_event import handler

    answer: dict[str, Any] = handler(event, lambda_context("notifications-on-event"))
    return answer


def inbox(caller: Principal) -> list[dict[str, Any]]:
    """The caller's in-app notifications, newest first, as the API answers them."""
    answer = invoke_api("GET", "/notifications", principal=caller)
    assert answer.status == 200, answer.body
    items: list[dict[str, Any]] = answer.body["items"]
    return items

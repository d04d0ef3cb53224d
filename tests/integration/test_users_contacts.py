"""The users domain's internal `contacts` function: the addresses and names of active accounts and of
the admins, for the notifications domain's declared call; nobody unconfirmed or disabled."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from fip_core.access import Role
from local_platform.events import lambda_context
from users.dal.unit_of_work import users_repository
from users.domain import NewProfile, UserStatus
from users.handlers.contacts import handler

NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def accounts(users_db: str) -> None:
    with users_repository() as repo:
        repo.users.add("u-active", "active@example.org", NewProfile(name="Ann"), UserStatus.ACTIVE, NOW)
        repo.users.add("u-new", "new@example.org", NewProfile(), UserStatus.UNCONFIRMED, NOW)
        repo.users.add("u-off", "off@example.org", NewProfile(), UserStatus.DISABLED, NOW)
        repo.users.add("u-admin", "admin@example.org", NewProfile(name="Ada"), UserStatus.ACTIVE, NOW)
        repo.users.add("u-old-admin", "old-admin@example.org", NewProfile(), UserStatus.ACTIVE, NOW)
        repo.users.add("u-off-admin", "off-admin@example.org", NewProfile(), UserStatus.DISABLED, NOW)
        repo.grants.add("u-admin", Role.ADMIN, None, None, None, NOW)
        revoked = repo.grants.add("u-old-admin", Role.ADMIN, None, None, None, NOW)
        repo.grants.revoke(revoked.id, NOW)
        repo.grants.add("u-off-admin", Role.ADMIN, None, None, None, NOW)


def ask(event: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = handler(event, lambda_context("users-contacts"))
    return answer


def test_active_accounts_are_found_by_id_and_the_others_left_out():
    answer = ask({"user_ids": ["u-active", "u-new", "u-off", "u-missing", "u-active"]})
    assert answer == {"contacts": [{"user_id": "u-active", "email": "active@example.org", "name": "Ann"}]}


def test_the_admins_are_the_active_accounts_holding_the_admin_role_now():
    answer = ask({"admins": True})
    assert answer == {"contacts": [{"user_id": "u-admin", "email": "admin@example.org", "name": "Ada"}]}
    both = ask({"user_ids": ["u-admin", "u-active"], "admins": True})
    assert [c["user_id"] for c in both["contacts"]] == ["u-admin", "u-active"]


@pytest.mark.parametrize(
    "event",
    [{"user_ids": "u-active"}, {"user_ids": ["u"] * 101}, {"admins": "yes please"}, {"user_ids": [], "role": "admin"}],
)
def test_a_request_it_cannot_read_is_answered_as_such(event):
    answer = ask(event)
    assert answer["error"] == "invalid_request"
    assert "contacts" not in answer

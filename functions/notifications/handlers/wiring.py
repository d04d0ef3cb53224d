"""The adapters the notifications domain's handlers hand to its logic: the one place that picks them."""

from __future__ import annotations

from datetime import UTC, datetime

from notifications.adapters.ses import ses_mailer
from notifications.adapters.users import UsersDirectory
from notifications.dal.unit_of_work import notifications_reading, notifications_repository
from notifications.declaration import CONTACTS
from notifications.logic.ports import NotificationsAdapters


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def notifications_adapters() -> NotificationsAdapters:
    """The real database, the users domain through the declared call, SES and the clock."""
    return NotificationsAdapters(
        transaction=notifications_repository,
        reading=notifications_reading,
        directory=UsersDirectory(CONTACTS),
        mailer=ses_mailer(),
        clock=utc_now,
    )

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


class SesOnFirstSend:
    """The container's SES mailer, made on the first email: the API function, whose routes send none,
    never makes SES's client."""

    def send(self, to: str, subject: str, text: str, html: str) -> str:
        """Send through the container's SES mailer."""
        return ses_mailer().send(to, subject, text, html)


def notifications_adapters() -> NotificationsAdapters:
    """The real database, the users domain through the declared call, SES and the clock."""
    return NotificationsAdapters(
        transaction=notifications_repository,
        reading=notifications_reading,
        directory=UsersDirectory(CONTACTS),
        mailer=SesOnFirstSend(),
        clock=utc_now,
    )

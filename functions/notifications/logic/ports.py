"""What the notifications logic is given: transactions, the users directory, the mailer and a clock."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from notifications.dal.repository import NotificationsRepository
from notifications.domain import Contact


class DirectoryUnavailableError(Exception):
    """The users domain could not answer who to write to now; worth trying again later."""


class MailRefusedError(Exception):
    """The mail service refused an email for good (a rejected message or address): not tried again."""


class MailUnavailableError(Exception):
    """The mail service could not take an email now (throttled, down): tried again later."""


class Directory(Protocol):
    """Who people are and how to write to them (the users domain)."""

    def contacts(self, user_ids: list[str], *, admins: bool) -> list[Contact]:
        """The active accounts among `user_ids`, plus every active admin when `admins`."""


class Mailer(Protocol):
    """Sends one email from the platform's sender."""

    def send(self, to: str, subject: str, text: str, html: str) -> str:
        """Send; the mail service's id of the message."""


Transaction = Callable[[], AbstractContextManager[NotificationsRepository]]
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class NotificationsAdapters:
    """Everything the logic reaches outside itself."""

    transaction: Transaction
    reading: Transaction
    directory: Directory
    mailer: Mailer
    clock: Clock

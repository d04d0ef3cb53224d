"""The notifications domain's own objects: what its data access answers and its logic works with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class MessageKind(StrEnum):
    """A kind of message, each with its own preference and template."""

    JOB_SUBMITTED = "job_submitted"
    JOB_COMPLETED = "job_completed"
    JOB_FAILED = "job_failed"
    FILE_EXPIRING = "file_expiring"
    SERVICE_HEALTH = "service_health"  # admins: a service went down or came back
    SERVICE_AT_RISK = "service_at_risk"  # admins: a service will be deactivated soon unless it recovers
    SERVICE_DEACTIVATED = "service_deactivated"  # admins
    WELCOME = "welcome"


class Channel(StrEnum):
    """Where a user wants a kind of message."""

    EMAIL = "email"
    IN_APP = "in_app"
    BOTH = "both"
    NONE = "none"

    @property
    def by_email(self) -> bool:
        """Whether the channel includes email."""
        return self in (Channel.EMAIL, Channel.BOTH)

    @property
    def in_app(self) -> bool:
        """Whether the channel includes the in-app list."""
        return self in (Channel.IN_APP, Channel.BOTH)


# Cognito already mails the confirmation code, so a welcome is only shown in the app.
DEFAULT_CHANNELS: dict[MessageKind, Channel] = dict.fromkeys(MessageKind, Channel.BOTH) | {
    MessageKind.WELCOME: Channel.IN_APP
}


class DeliveryStatus(StrEnum):
    """Where an email stands."""

    PENDING = "pending"  # waiting for its (next) try
    SENDING = "sending"  # claimed by a sender
    SENT = "sent"  # SES accepted it
    FAILED = "failed"  # refused by SES, or out of tries
    SUPPRESSED = "suppressed"  # the address bounced or complained before


@dataclass(frozen=True)
class Message:
    """Something to tell one user (`user_id`) or every admin (`user_id` None), from one event."""

    id: str
    event_id: str
    kind: MessageKind
    user_id: str | None
    facts: dict[str, Any]
    occurred_at: datetime


@dataclass(frozen=True)
class Contact:
    """Where a recipient is written to, as the users domain knows them."""

    user_id: str
    email: str
    name: str | None


@dataclass(frozen=True)
class Rendered:
    """A message as one recipient reads it."""

    title: str  # the in-app title and the email's subject
    text: str
    html: str
    link: str | None


@dataclass(frozen=True)
class Notification:
    """An in-app notification."""

    id: str
    user_id: str
    kind: MessageKind
    title: str
    body: str
    link: str | None
    created_at: datetime
    read_at: datetime | None


@dataclass(frozen=True)
class Delivery:
    """An email to send (or sent) to one recipient."""

    id: str
    message_id: str
    user_id: str
    address: str
    subject: str
    text: str
    html: str
    status: DeliveryStatus
    attempts: int
    provider_id: str | None
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class Page[T]:
    """One page of a longer list."""

    items: list[T]
    total: int

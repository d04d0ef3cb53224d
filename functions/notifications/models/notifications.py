"""The notifications API's request and response models."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from notifications.domain import Channel, MessageKind


class NotificationView(BaseModel):
    """An in-app notification."""

    id: str
    kind: MessageKind
    title: str
    body: str = Field(description="The message in plain text.")
    link: str | None = Field(description="Where on the platform it is about.")
    created_at: datetime
    read_at: datetime | None = Field(description="When it was marked read; None while unread.")


class NotificationPage(BaseModel):
    """One page of the caller's notifications, newest first."""

    items: list[NotificationView]
    total: int = Field(description="How many notifications match in all.")
    limit: int
    offset: int


class UnreadCount(BaseModel):
    """How many of the caller's notifications are unread."""

    unread: int


class MarkedRead(BaseModel):
    """How many notifications were marked read."""

    marked: int


class NotificationPreferences(BaseModel):
    """Where the caller is told of each kind of message: `email`, `in_app`, `both` or `none`."""

    job_submitted: Channel
    job_completed: Channel
    job_failed: Channel
    file_expiring: Channel
    service_health: Channel = Field(description="Admins: a service went down or came back.")
    service_at_risk: Channel = Field(description="Admins: a service will be deactivated soon unless it recovers.")
    service_deactivated: Channel = Field(description="Admins: a service was deactivated.")
    welcome: Channel


class PreferencesUpdate(BaseModel):
    """The caller's preferences: the kinds given are set, the kinds left out return to their default."""

    model_config = ConfigDict(extra="forbid")

    job_submitted: Channel | None = None
    job_completed: Channel | None = None
    job_failed: Channel | None = None
    file_expiring: Channel | None = None
    service_health: Channel | None = None
    service_at_risk: Channel | None = None
    service_deactivated: Channel | None = None
    welcome: Channel | None = None

    def chosen(self) -> dict[MessageKind, Channel]:
        """The kinds given, with their channel."""
        return {MessageKind(name): value for name, value in self.model_dump().items() if value is not None}

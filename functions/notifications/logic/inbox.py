"""The caller's own in-app notifications and preferences: nobody reads or changes another's."""

from __future__ import annotations

from fip_core.problems import NotFoundError
from notifications.domain import Channel, MessageKind, Notification
from notifications.logic.ports import NotificationsAdapters
from notifications.models.notifications import (
    MarkedRead,
    NotificationPage,
    NotificationPreferences,
    NotificationView,
    PreferencesUpdate,
    UnreadCount,
)


def list_notifications(
    adapters: NotificationsAdapters, user_id: str, *, unread_only: bool, limit: int, offset: int
) -> NotificationPage:
    """A page of the caller's notifications, newest first."""
    with adapters.reading() as repo:
        page = repo.notifications.page(user_id, unread_only=unread_only, limit=limit, offset=offset)
    return NotificationPage(items=[_view(n) for n in page.items], total=page.total, limit=limit, offset=offset)


def unread_count(adapters: NotificationsAdapters, user_id: str) -> UnreadCount:
    """How many of the caller's notifications are unread."""
    with adapters.reading() as repo:
        return UnreadCount(unread=repo.notifications.unread(user_id))


def mark_read(adapters: NotificationsAdapters, user_id: str, notification_id: str) -> NotificationView:
    """Mark one of the caller's notifications read; 404 for any other."""
    with adapters.transaction() as repo:
        found = repo.notifications.mark_read(user_id, notification_id, adapters.clock())
    if found is None:
        raise _not_found(notification_id)
    return _view(found)


def mark_all_read(adapters: NotificationsAdapters, user_id: str) -> MarkedRead:
    """Mark all the caller's notifications read."""
    with adapters.transaction() as repo:
        return MarkedRead(marked=repo.notifications.mark_all_read(user_id, adapters.clock()))


def delete_notification(adapters: NotificationsAdapters, user_id: str, notification_id: str) -> None:
    """Delete one of the caller's notifications; 404 for any other."""
    with adapters.transaction() as repo:
        removed = repo.notifications.remove(user_id, notification_id)
    if not removed:
        raise _not_found(notification_id)


def preferences(adapters: NotificationsAdapters, user_id: str) -> NotificationPreferences:
    """The caller's channel for every kind of message."""
    with adapters.reading() as repo:
        channels = repo.preferences.of_user(user_id)
    return _preferences(channels)


def replace_preferences(
    adapters: NotificationsAdapters, user_id: str, update: PreferencesUpdate
) -> NotificationPreferences:
    """Set the caller's preferences; what they are now."""
    with adapters.transaction() as repo:
        repo.preferences.replace(user_id, update.chosen(), adapters.clock())
        channels = repo.preferences.of_user(user_id)
    return _preferences(channels)


def _preferences(channels: dict[MessageKind, Channel]) -> NotificationPreferences:
    return NotificationPreferences.model_validate({kind.value: channel for kind, channel in channels.items()})


def _view(notification: Notification) -> NotificationView:
    return NotificationView.model_validate(notification, from_attributes=True)


def _not_found(notification_id: str) -> NotFoundError:
    return NotFoundError(f"You have no notification {notification_id}.")

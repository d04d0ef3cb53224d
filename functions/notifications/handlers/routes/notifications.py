"""Routes of the caller's in-app notifications and preferences: only ever the caller's own."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from fip_core.http import answers, current_principal, no_content, route_group
from notifications.handlers.wiring import notifications_adapters
from notifications.logic import inbox
from notifications.models.notifications import (
    MarkedRead,
    NotificationPage,
    NotificationPreferences,
    NotificationView,
    PreferencesUpdate,
    UnreadCount,
)

router = route_group()
NOTIFICATIONS = "Notifications"


def _caller() -> str:
    return current_principal(router).user_id


@router.get(
    "/notifications",
    summary="Your notifications, newest first",
    tags=[NOTIFICATIONS],
    responses=answers(200, NotificationPage),
)
def list_notifications(
    unread: Annotated[bool, Query(description="Only the unread ones.")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> NotificationPage:
    return inbox.list_notifications(notifications_adapters(), _caller(), unread_only=unread, limit=limit, offset=offset)


@router.get(
    "/notifications/unread-count",
    summary="How many of your notifications are unread",
    tags=[NOTIFICATIONS],
    responses=answers(200, UnreadCount),
)
def unread_count() -> UnreadCount:
    return inbox.unread_count(notifications_adapters(), _caller())


@router.post(
    "/notifications/read-all",
    summary="Mark all your notifications read",
    tags=[NOTIFICATIONS],
    responses=answers(200, MarkedRead),
)
def read_all() -> MarkedRead:
    return inbox.mark_all_read(notifications_adapters(), _caller())


@router.get(
    "/notifications/preferences",
    summary="Where you are told of each kind of message",
    tags=[NOTIFICATIONS],
    responses=answers(200, NotificationPreferences),
)
def get_preferences() -> NotificationPreferences:
    return inbox.preferences(notifications_adapters(), _caller())


@router.put(
    "/notifications/preferences",
    summary="Choose where you are told of each kind of message",
    tags=[NOTIFICATIONS],
    responses=answers(200, NotificationPreferences, 422),
)
def put_preferences(body: PreferencesUpdate) -> NotificationPreferences:
    return inbox.replace_preferences(notifications_adapters(), _caller(), body)


@router.post(
    "/notifications/<notification_id>/read",
    summary="Mark one of your notifications read",
    tags=[NOTIFICATIONS],
    responses=answers(200, NotificationView, 404),
)
def read_one(notification_id: UUID) -> NotificationView:
    return inbox.mark_read(notifications_adapters(), _caller(), str(notification_id))


@router.delete(
    "/notifications/<notification_id>",
    summary="Delete one of your notifications",
    tags=[NOTIFICATIONS],
    responses=answers(204, None, 404),
)
def delete_one(notification_id: UUID) -> Response[None]:
    inbox.delete_notification(notifications_adapters(), _caller(), str(notification_id))
    return no_content()

"""The events the domain subscribes to, each made into at most one message in the event's own
transaction (the shared subscriber records it in the inbox there too)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fip_core.platform_events import (
    DomainEvent,
    FileExpiring,
    JobStatusChanged,
    ServiceAtRisk,
    ServiceDeactivated,
    ServiceHealthChanged,
    UserRegistered,
)
from fip_core.subscribers import Consumer, Delivery
from notifications.dal.repository import NotificationsRepository
from notifications.domain import MessageKind
from notifications.logic.ports import Clock

# the transitions worth a message; the others (queued, running, cancelled by the owner) are shown in the app
JOB_KINDS = {
    "submitted": MessageKind.JOB_SUBMITTED,
    "completed": MessageKind.JOB_COMPLETED,
    "failed": MessageKind.JOB_FAILED,
}


class MessageMaker:
    """Makes messages of delivered events, with the time it records them at."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def consumers(self) -> Mapping[type[DomainEvent], Consumer[NotificationsRepository]]:
        """What each subscribed event is applied with."""
        return {
            ServiceHealthChanged: self.health_changed,
            ServiceAtRisk: self.at_risk,
            ServiceDeactivated: self.deactivated,
            FileExpiring: self.file_expiring,
            UserRegistered: self.registered,
            JobStatusChanged: self.job_changed,
        }

    def health_changed(self, repo: NotificationsRepository, delivery: Delivery[ServiceHealthChanged]) -> None:
        """Admins hear when a service goes down or comes back; `unknown` (not checked yet) is neither."""
        event = delivery.event
        went_down = event.status == "unhealthy" and event.previous_status != "unhealthy"
        came_back = event.status == "healthy" and event.previous_status == "unhealthy"
        if went_down or came_back:
            self._add(repo, delivery, MessageKind.SERVICE_HEALTH, None, event)

    def at_risk(self, repo: NotificationsRepository, delivery: Delivery[ServiceAtRisk]) -> None:
        """Admins hear when a service has been down so long that it will be deactivated soon, while
        there is still time to fix it (the registry publishes this once per spell of ill health)."""
        self._add(repo, delivery, MessageKind.SERVICE_AT_RISK, None, delivery.event)

    def deactivated(self, repo: NotificationsRepository, delivery: Delivery[ServiceDeactivated]) -> None:
        """Admins hear when a service is taken out of use."""
        self._add(repo, delivery, MessageKind.SERVICE_DEACTIVATED, None, delivery.event)

    def file_expiring(self, repo: NotificationsRepository, delivery: Delivery[FileExpiring]) -> None:
        """A file's owner hears before it is deleted."""
        self._add(repo, delivery, MessageKind.FILE_EXPIRING, delivery.event.user_id, delivery.event)

    def registered(self, repo: NotificationsRepository, delivery: Delivery[UserRegistered]) -> None:
        """A new user is welcomed (in the app by default: Cognito has mailed them already)."""
        self._add(repo, delivery, MessageKind.WELCOME, delivery.event.user_id, delivery.event)

    def job_changed(self, repo: NotificationsRepository, delivery: Delivery[JobStatusChanged]) -> None:
        """A job's owner hears that it was submitted, completed or failed; only from the newest
        transition seen, so a `running` arriving after `completed` sends nothing. The parts of a
        multi-service job (`parent_id`) are told through their parent's events, not each."""
        event = delivery.event
        if not repo.jobs.advance(event.job_id, event.revision, event.status, event.changed_at):
            return
        kind = JOB_KINDS.get(event.status)
        if kind is not None and event.parent_id is None:
            self._add(repo, delivery, kind, event.user_id, event)

    def _add(
        self,
        repo: NotificationsRepository,
        delivery: Delivery[Any],
        kind: MessageKind,
        user_id: str | None,
        event: DomainEvent,
    ) -> None:
        repo.messages.add(
            delivery.metadata.event_id,
            kind,
            user_id,
            event.model_dump(mode="json"),
            delivery.metadata.occurred_at,
            self.clock(),
        )

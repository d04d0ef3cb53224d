"""What the monitoring domain's tests share: events as the bus delivers them to its subscriber, jobs'
transitions and services' checks made to order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fip_core.access import Grant, Principal, Role
from fip_core.platform_events import JobStatusChanged, ServiceCheck, ServicesChecked
from local_platform.events import lambda_context
from tests.support.notifications import bus_event

ALICE = Principal(user_id="alice-0001", method="cognito", grants=[Grant(role=Role.RESEARCHER)])
BOB = Principal(user_id="bob-0002", method="cognito", grants=[Grant(role=Role.RESEARCHER)])
ADMIN = Principal(user_id="admin-0003", method="cognito", grants=[Grant(role=Role.ADMIN)])
PATH = ("pending", "submitted", "queued", "running")
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # the dashboards' clock in the tests (frozen_clock)


def freeze_clock(monkeypatch: Any, moment: datetime = NOW) -> None:
    """The dashboards read the time from this moment."""
    monkeypatch.setattr("monitoring.handlers.wiring.utc_now", lambda: moment)


def deliver(event: dict[str, Any]) -> dict[str, Any]:
    """Hand an event to the on-event function, as the rule does."""
    from monitoring.handlers.on_event import handler

    answer: dict[str, Any] = handler(event, lambda_context("monitoring-on-event"))
    return answer


def transition(
    job_id: str,
    revision: int,
    status: str,
    *,
    created: datetime,
    at: datetime,
    user: Principal = ALICE,
    service_id: str | None = "svc-1",
    **fields: Any,
) -> dict[str, Any]:
    """A job's transition as the jobs domain publishes it."""
    event = JobStatusChanged.model_validate(
        {
            "job_id": job_id,
            "user_id": user.user_id,
            "job_name": f"job {job_id}",
            "service_id": service_id,
            "service_name": "Michigan" if service_id == "svc-1" else service_id,
            "previous_status": None,
            "status": status,
            "revision": revision,
            "created_at": created,
            "changed_at": at,
        }
        | fields
    )
    return bus_event(event, "jobs")


def life(job_id: str, end: str, *, created: datetime, minutes: list[int], **fields: Any) -> list[dict[str, Any]]:
    """A job's transitions through pending, submitted, queued, running and then `end`, at these minutes
    after `created` (one per transition)."""
    statuses = [*PATH, end]
    return [
        transition(job_id, n + 1, status, created=created, at=created + timedelta(minutes=m), **fields)
        for n, (status, m) in enumerate(zip(statuses, minutes, strict=True))
    ]


def checks_round(at: datetime, *checks: tuple[str, str, float | None]) -> dict[str, Any]:
    """A round of health checks: (service, status, response time)."""
    event = ServicesChecked(
        checks=[
            ServiceCheck(service_id=service_id, status=status, checked_at=at, response_time_ms=ms)
            for service_id, status, ms in checks
        ]
    )
    return bus_event(event, "registry")

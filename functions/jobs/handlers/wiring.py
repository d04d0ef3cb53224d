"""The adapters the jobs domain's handlers hand to its logic: the one place that picks them."""

from __future__ import annotations

from datetime import UTC, datetime

from jobs.adapters.domains import InvokedDomains
from jobs.adapters.passwords import password_cipher
from jobs.adapters.services import PresignedUploads, connect
from jobs.dal.unit_of_work import STORE, jobs_reading, jobs_repository
from jobs.logic.ports import JobsAdapters


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def jobs_adapters() -> JobsAdapters:
    """The real database (whose transactions relay their events as they commit), clock, other domains and
    services."""
    return JobsAdapters(
        transaction=jobs_repository,
        reading=jobs_reading,
        clock=utc_now,
        domains=InvokedDomains(),
        connect=connect,
        batch=lambda: STORE.transaction(relay=False),
        relay=STORE.publish_pending_events,
        uploads=PresignedUploads(),
        passwords=password_cipher(),
    )

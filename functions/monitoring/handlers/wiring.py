"""The adapters the monitoring domain's handlers hand to its logic: the one place that picks them."""

from __future__ import annotations

from datetime import UTC, datetime

from monitoring.dal.unit_of_work import monitoring_reading, monitoring_repository
from monitoring.logic.ports import MonitoringAdapters


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def monitoring_adapters() -> MonitoringAdapters:
    """The real database and the clock."""
    return MonitoringAdapters(reading=monitoring_reading, transaction=monitoring_repository, clock=utc_now)

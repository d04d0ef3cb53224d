"""How long the aggregates are kept: past what any dashboard reads, they are pruned. Jobs' own rows are
kept: a late event about a forgotten job would count it again."""

from __future__ import annotations

from datetime import timedelta

from monitoring.logic.ports import MonitoringAdapters
from monitoring.settings import MonitoringSettings


def prune(adapters: MonitoringAdapters, settings: MonitoringSettings) -> int:
    """Forget the hourly and daily rollups older than their retention; answer how many rows went."""
    now = adapters.clock()
    with adapters.transaction() as repo:
        return repo.aggregates.prune(
            now - timedelta(days=settings.hours_retention_days),
            (now - timedelta(days=settings.days_retention_days)).date(),
        )

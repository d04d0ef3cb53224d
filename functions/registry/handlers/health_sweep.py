"""The scheduled health sweep: every due service checked concurrently, results recorded."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fip_core.observability import observability
from fip_core.tasks import task_handler
from registry.dal.unit_of_work import registry_repository
from registry.logic.health import HealthPolicy, run_sweep
from registry.models.health import SweepReport
from registry.settings import DOMAIN, registry_settings

obs = observability(DOMAIN)


def sweep(_event: dict[str, Any]) -> SweepReport:
    """Run one sweep and report it in logs and metrics."""
    report = run_sweep(
        registry_repository,
        HealthPolicy.from_settings(registry_settings()),
        lambda: datetime.now(UTC),
    )
    obs.logger.info("health sweep done", extra=report.model_dump())
    obs.metrics.add_metric(name="ServicesChecked", unit="Count", value=report.checked)
    obs.metrics.add_metric(name="ServicesUnhealthy", unit="Count", value=report.unhealthy)
    obs.metrics.add_metric(name="SweepSeconds", unit="Seconds", value=report.wall_seconds)
    return report


handler = task_handler(obs, sweep)

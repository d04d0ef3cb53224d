"""The scheduled health sweep: every due service checked concurrently, results recorded."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fip_core.observability import observability
from fip_core.tasks import task_handler
from registry import DOMAIN

if TYPE_CHECKING:
    from registry.models.health import SweepReport

obs = observability(DOMAIN)


def sweep(_event: dict[str, Any]) -> SweepReport:
    """Run one sweep and report it in logs and metrics."""
    # imported on the first invocation: the probes, the outbound client and the data access
    from registry.handlers.wiring import health_adapters, health_policy
    from registry.logic.health import run_sweep

    report = run_sweep(health_adapters(), health_policy())
    obs.logger.info("health sweep done", extra=report.model_dump())
    obs.metrics.add_metric(name="ServicesChecked", unit="Count", value=report.checked)
    obs.metrics.add_metric(name="ServicesUnhealthy", unit="Count", value=report.unhealthy)
    obs.metrics.add_metric(name="SweepSeconds", unit="Seconds", value=report.wall_seconds)
    return report


handler = task_handler(obs, sweep)

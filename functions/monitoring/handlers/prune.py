"""Prunes the rollups past their retention, every hour (a few indexed deletes, most finding nothing)."""

from __future__ import annotations

from typing import Any

from fip_core.observability import observability
from fip_core.tasks import task_handler
from monitoring import DOMAIN

obs = observability(DOMAIN)


def prune(_event: dict[str, Any]) -> dict[str, int]:
    """Prune once and report how many rows went."""
    from monitoring.handlers.wiring import monitoring_adapters
    from monitoring.logic.retention import prune as prune_rollups
    from monitoring.settings import monitoring_settings

    removed = prune_rollups(monitoring_adapters(), monitoring_settings())
    obs.logger.info("rollups pruned", extra={"removed": removed})
    return {"removed": removed}


handler = task_handler(obs, prune)

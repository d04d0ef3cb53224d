"""Every hour: warns of files about to expire, and deletes the expired ones."""

from __future__ import annotations

from typing import Any

from files import DOMAIN
from fip_core.observability import observability
from fip_core.tasks import task_handler

obs = observability(DOMAIN)


def retain(event: dict[str, Any]) -> dict[str, Any]:
    """One sweep of the retention policy."""
    from dataclasses import asdict

    from files.handlers.wiring import files_adapters
    from files.logic.retention import sweep
    from files.settings import files_settings

    done = sweep(files_adapters(), files_settings())
    obs.logger.info("retention sweep", extra=asdict(done))
    return asdict(done)


handler = task_handler(obs, retain)

"""Brings the monitoring database to the newest schema; run by a CDK trigger on every deploy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fip_core.observability import observability
from fip_core.tasks import task_handler
from monitoring import DOMAIN

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def migrate(event: dict[str, Any]) -> dict[str, Any]:
    """Apply the migrations not yet applied and report the revision."""
    # Alembic and the engine are imported on the invocation, not on the container's start
    from fip_core.migrations import migration_task
    from monitoring.settings import monitoring_database

    return migration_task(DOMAIN, MIGRATIONS, monitoring_database)(event)


handler = task_handler(observability(DOMAIN), migrate)

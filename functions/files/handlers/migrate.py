"""Brings the files database to the newest schema; run by a CDK trigger on every deploy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from files import DOMAIN
from fip_core.observability import observability
from fip_core.tasks import task_handler

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def migrate(event: dict[str, Any]) -> dict[str, Any]:
    """Apply the migrations not yet applied and report the revision."""
    # Alembic and the engine are imported on the invocation, not on the container's start
    from files.settings import files_database
    from fip_core.migrations import migration_task

    return migration_task(DOMAIN, MIGRATIONS, files_database)(event)


handler = task_handler(observability(DOMAIN), migrate)

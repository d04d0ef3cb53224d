"""Brings the users database to the newest schema; run by a CDK trigger on every deploy."""

from __future__ import annotations

from pathlib import Path

from fip_core.migrations import migration_task
from fip_core.observability import observability
from fip_core.tasks import task_handler
from users.settings import DOMAIN, users_database

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

migrate = migration_task(DOMAIN, MIGRATIONS, users_database)
handler = task_handler(observability(DOMAIN), migrate)

"""Brings the registry's database to the newest schema; run by a CDK trigger on every deploy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fip_core.database import domain_engine
from fip_core.http import task_handler
from fip_core.migrations import upgrade_to_head
from fip_core.observability import observability
from registry.settings import DOMAIN, registry_database

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
obs = observability(DOMAIN)


def migrate(_event: dict[str, Any]) -> dict[str, Any]:
    """Apply the migrations not yet applied."""
    revision = upgrade_to_head(MIGRATIONS, domain_engine(DOMAIN, registry_database()))
    obs.logger.info("registry database migrated", extra={"revision": revision})
    return {"domain": DOMAIN, "revision": revision}


handler = task_handler(obs, migrate)

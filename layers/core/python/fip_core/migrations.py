"""Alembic migrations per domain, run programmatically: on deploy by a trigger function, at local
start by the local platform, and by tests on every database they create."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData

from fip_core.database import domain_engine
from fip_core.observability import observability
from fip_core.settings import DatabaseSettings


def alembic_config(migrations_dir: Path, engine: Engine | None = None) -> Config:
    """An Alembic configuration for one domain's scripts (no alembic.ini), bound to an engine if given."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def upgrade_to_head(migrations_dir: Path, engine: Engine) -> str | None:
    """Apply every migration not yet applied; answer the revision the database is now at."""
    command.upgrade(alembic_config(migrations_dir, engine), "head")
    return current_revision(engine)


def current_revision(engine: Engine) -> str | None:
    """The revision a database is at, or None before the first migration."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(migrations_dir: Path) -> str | None:
    """The newest revision among a domain's scripts."""
    return ScriptDirectory.from_config(alembic_config(migrations_dir)).get_current_head()


def run_migrations(context: Any, metadata: MetaData) -> None:
    """The body of every domain's `env.py`: migrate the engine the caller put in the config."""
    engine: Engine = context.config.attributes["engine"]
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=engine.dialect.name == "sqlite",  # SQLite alters tables by copying them
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


def migration_task(
    domain: str, migrations_dir: Path, database: Callable[[], DatabaseSettings]
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The body of a domain's migrations function: apply what is not yet applied, report the revision."""

    def migrate(_event: dict[str, Any]) -> dict[str, Any]:
        revision = upgrade_to_head(migrations_dir, domain_engine(domain, database()))
        observability(domain).logger.info("database migrated", extra={"revision": revision})
        return {"domain": domain, "revision": revision}

    return migrate

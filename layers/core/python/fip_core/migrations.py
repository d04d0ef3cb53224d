"""Alembic migrations per domain, run programmatically: on deploy by a trigger function, at local
start by the local platform, and by tests on every database they create."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command, op
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import JSON, Column, Engine, MetaData, PrimaryKeyConstraint, String, Text

from fip_core.database import UtcDateTime, domain_engine
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


def create_event_inbox_tables() -> None:
    """Create the inbox and quarantine of `fip_core.events.event_tables` as they were first made;
    called from one migration of every domain. Never change it: a later change of these tables is a
    new function, called from a new migration."""
    op.create_table(
        "inbox_events",
        Column("event_id", String(length=64), nullable=False),
        Column("detail_type", String(length=128), nullable=False),
        Column("source", String(length=128), nullable=False),
        Column("applied_at", UtcDateTime(timezone=True), nullable=False),
        PrimaryKeyConstraint("event_id", name=op.f("pk_inbox_events")),
    )
    op.create_table(
        "quarantined_events",
        Column("id", String(length=36), nullable=False),
        Column("event_id", String(length=64), nullable=True),
        Column("detail_type", String(length=128), nullable=False),
        Column("source", String(length=128), nullable=False),
        Column("reason", Text(), nullable=False),
        Column("event", JSON(), nullable=False),
        Column("received_at", UtcDateTime(timezone=True), nullable=False),
        PrimaryKeyConstraint("id", name=op.f("pk_quarantined_events")),
    )
    op.create_index("ix_quarantined_events_received", "quarantined_events", ["received_at"])


def drop_event_inbox_tables() -> None:
    """Undo `create_event_inbox_tables`."""
    op.drop_index("ix_quarantined_events_received", table_name="quarantined_events")
    op.drop_table("quarantined_events")
    op.drop_table("inbox_events")

"""The migrations build exactly the schema the code expects, on SQLite and PostgreSQL."""

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from fip_core.migrations import alembic_config, current_revision, head_revision, upgrade_to_head
from registry.dal.tables import metadata

MIGRATIONS = Path(__file__).resolve().parents[2] / "functions" / "registry" / "migrations"


def test_migrations_match_the_tables_and_can_be_undone(database_url):
    engine = create_engine(database_url)
    try:
        assert upgrade_to_head(MIGRATIONS, engine) == head_revision(MIGRATIONS)
        with engine.connect() as connection:
            differences = compare_metadata(
                MigrationContext.configure(connection, opts={"compare_type": True}), metadata
            )
        assert differences == []
        assert upgrade_to_head(MIGRATIONS, engine) == head_revision(MIGRATIONS)  # running again changes nothing
        command.downgrade(alembic_config(MIGRATIONS, engine), "base")
        assert current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()

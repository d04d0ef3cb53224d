"""The migrations of every domain build exactly the schema the code expects, on SQLite and PostgreSQL,
and can be undone to nothing and done again."""

from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, MetaData, create_engine, inspect

from files.dal.tables import metadata as files_metadata
from fip_core.migrations import alembic_config, current_revision, head_revision, upgrade_to_head
from jobs.dal.tables import metadata as jobs_metadata
from registry.dal.tables import metadata as registry_metadata
from users.dal.tables import metadata as users_metadata

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
DOMAINS = {"files": files_metadata, "jobs": jobs_metadata, "registry": registry_metadata, "users": users_metadata}


@pytest.mark.parametrize("domain", sorted(DOMAINS))
def test_migrations_match_the_tables_and_can_be_undone(database_url, domain):
    migrations, metadata = FUNCTIONS / domain / "migrations", DOMAINS[domain]
    engine = create_engine(database_url)
    try:
        assert upgrade_to_head(migrations, engine) == head_revision(migrations)
        assert _differences(engine, metadata) == []
        assert upgrade_to_head(migrations, engine) == head_revision(migrations)  # running again changes nothing
        command.downgrade(alembic_config(migrations, engine), "base")
        assert current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        assert upgrade_to_head(migrations, engine) == head_revision(migrations)  # and up again from nothing
        assert _differences(engine, metadata) == []
    finally:
        engine.dispose()


def _differences(engine: Engine, metadata: MetaData) -> list[Any]:
    with engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata))

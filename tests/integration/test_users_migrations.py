"""The users migrations keep what is stored: accounts survive each step up and down."""

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import bindparam, create_engine, inspect, text

from fip_core.database import UtcDateTime
from fip_core.migrations import alembic_config, current_revision

MIGRATIONS = Path(__file__).resolve().parents[2] / "functions" / "users" / "migrations"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
MOMENT = bindparam("now", type_=UtcDateTime())  # as the tables store moments, on SQLite and PostgreSQL


def test_accounts_survive_adding_and_removing_sessions_revoked_at(database_url):
    engine = create_engine(database_url)
    config = alembic_config(MIGRATIONS, engine)
    try:
        command.upgrade(config, "0001")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (id, email, status, created_at, updated_at) "
                    "VALUES ('u1', 'kept@example.org', 'active', :now, :now)"
                ).bindparams(MOMENT),
                {"now": NOW},
            )
        command.upgrade(config, "0002")
        assert "sessions_revoked_at" in {column["name"] for column in inspect(engine).get_columns("users")}
        with engine.begin() as connection:
            kept = connection.execute(text("SELECT email, sessions_revoked_at FROM users")).all()
            assert [tuple(row) for row in kept] == [("kept@example.org", None)]
            connection.execute(text("UPDATE users SET sessions_revoked_at = :now").bindparams(MOMENT), {"now": NOW})
        command.downgrade(config, "0001")
        assert current_revision(engine) == "0001"
        assert "sessions_revoked_at" not in {column["name"] for column in inspect(engine).get_columns("users")}
        with engine.connect() as connection:
            assert connection.execute(text("SELECT email FROM users")).scalars().all() == ["kept@example.org"]
    finally:
        engine.dispose()

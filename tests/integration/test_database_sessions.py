"""Sessions that read and connections that rest: a session opened for reading refuses every write and,
on PostgreSQL, runs each statement on its own (no BEGIN and COMMIT round trips); a connection idle for
longer than `PING_AFTER_IDLE_SECONDS` is pinged and replaced when the server dropped it, while one used
a moment ago is used as it is (a dropped one then answers 503, and the next request gets a new one)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, func, insert, select, text

from fip_core import database
from fip_core.database import DatabaseUnavailableError, ReadOnlySessionError, dispose_engines, transaction
from fip_core.settings import DatabaseSettings

NOTES = Table("notes", MetaData(), Column("id", Integer, primary_key=True))


@pytest.fixture
def settings(database_url: str) -> Iterator[DatabaseSettings]:
    """A fresh database (SQLite, then PostgreSQL) with one table, and its engine forgotten afterwards."""
    configured = DatabaseSettings(database_url=database_url)
    with transaction("sessions", configured) as session:
        NOTES.create(session.connection())
    yield configured
    dispose_engines()


def test_a_reading_session_refuses_every_write_and_writes_nothing(settings):
    with pytest.raises(ReadOnlySessionError), transaction("sessions", settings, read_only=True) as session:
        session.execute(insert(NOTES).values(id=1))
    with transaction("sessions", settings, read_only=True) as session:
        assert session.execute(select(NOTES)).all() == []
        with pytest.raises(ReadOnlySessionError):
            session.execute(text("insert into notes (id) values (2)"))
    with transaction("sessions", settings) as session:
        session.execute(insert(NOTES).values(id=3))
    with transaction("sessions", settings, read_only=True) as session:
        assert session.execute(select(NOTES.c.id)).scalars().all() == [3]


@pytest.mark.postgres
@pytest.mark.parametrize("database_backend", ["postgresql"], indirect=True)
def test_on_postgresql_a_reading_session_runs_each_statement_on_its_own(settings):
    same_moment = select(func.transaction_timestamp() == func.statement_timestamp())
    with transaction("sessions", settings, read_only=True) as session:
        session.execute(select(func.pg_sleep(0.01)))
        assert session.execute(same_moment).scalar() is True  # a transaction of its own
    with transaction("sessions", settings) as session:
        session.execute(select(func.pg_sleep(0.01)))
        assert session.execute(same_moment).scalar() is False  # the transaction began before it


def _backend(settings: DatabaseSettings) -> int:
    with transaction("sessions", settings) as session:
        return int(session.execute(text("select pg_backend_pid()")).scalar_one())


def _drop(settings: DatabaseSettings, pid: int) -> None:
    """The server ends the connection, as Aurora may while a container is frozen."""
    with transaction("other", settings) as session:
        assert session.execute(text("select pg_terminate_backend(:pid)"), {"pid": pid}).scalar() is True


@pytest.mark.postgres
@pytest.mark.parametrize("database_backend", ["postgresql"], indirect=True)
def test_an_idle_connection_the_server_dropped_is_replaced_before_use(settings, monkeypatch):
    dropped = _backend(settings)
    _drop(settings, dropped)
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)  # every connection counts as idle
    assert _backend(settings) != dropped


@pytest.mark.postgres
@pytest.mark.parametrize("database_backend", ["postgresql"], indirect=True)
def test_a_connection_used_a_moment_ago_is_not_pinged_and_a_dropped_one_answers_503_once(settings, monkeypatch):
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 3600.0)
    dropped = _backend(settings)
    _drop(settings, dropped)
    with pytest.raises(DatabaseUnavailableError):
        _backend(settings)
    assert _backend(settings) != dropped  # the pool replaced it

"""How a domain reaches PostgreSQL: TLS with the server's certificate verified, connecting and every
statement bounded in seconds, and a database that cannot serve answered as a 503 problem with
Retry-After, never a timeout or a 500. Against the real PostgreSQL the tests start (its certificate
signed by the tests' own CA, as Aurora's is by the RDS CA) and listeners on loopback."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from fip_core.database import (
    CA_FILE_QUERY_PARAMETER,
    RETRY_AFTER_SECONDS,
    DatabaseUnavailableError,
    create_domain_engine,
    dispose_engines,
    transaction,
)
from fip_core.problems import PROBLEM_CONTENT_TYPE
from fip_core.settings import DatabaseSettings
from tests.conftest import skip_or_fail
from tests.support.accounts import sign_up
from tests.support.api import invoke_api
from tests.support.certificates import make_certificates
from tests.support.postgres import PostgresServer, find_bin_dir
from users.declaration import DECLARATION as USERS

pytestmark = pytest.mark.postgres


def _with_ca(url: str, ca_file: object) -> str:
    return f"{url}?{CA_FILE_QUERY_PARAMETER}={ca_file}"


def test_the_server_certificate_is_verified_against_the_trusted_authority(postgres):
    url = _with_ca(postgres.url("postgres"), postgres.certificates.ca_file)
    engine = create_domain_engine(make_url(url))
    try:
        with engine.connect() as connection:
            assert connection.execute(text("select ssl from pg_stat_ssl where pid = pg_backend_pid()")).scalar()
    finally:
        engine.dispose()


def test_a_server_certificate_from_another_authority_is_refused(postgres):
    stranger = make_certificates()  # a CA that did not sign the server's certificate
    engine = create_domain_engine(make_url(_with_ca(postgres.url("postgres"), stranger.ca_file)))
    try:
        with pytest.raises(ssl.SSLCertVerificationError), engine.connect():
            pass
    finally:
        engine.dispose()


def test_the_server_applies_the_statement_timeout_and_cancels_a_long_statement(postgres):
    settings = DatabaseSettings(database_url=postgres.url("postgres"), database_statement_timeout_seconds=0.25)
    try:
        with transaction("timeouts", settings) as session:
            assert session.execute(text("show statement_timeout")).scalar() == "250ms"
        with pytest.raises(DatabaseUnavailableError) as raised, transaction("timeouts", settings) as session:
            session.execute(text("select pg_sleep(120)"))
        assert raised.value.__cause__ is not None
        assert "57014" in str(raised.value.__cause__)  # query_canceled: the server's own cancellation
    finally:
        dispose_engines()


@pytest.fixture
def silent_listener() -> Iterator[socket.socket]:
    """A loopback port that accepts connections (the kernel completes them) and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield listener
    listener.close()


def test_a_server_that_accepts_and_never_answers_is_unavailable_after_the_connect_timeout(silent_listener):
    port = silent_listener.getsockname()[1]
    settings = DatabaseSettings(
        database_url=f"postgresql+pg8000://nobody:secret@127.0.0.1:{port}/db", database_connect_timeout_seconds=0.5
    )
    try:
        with pytest.raises(DatabaseUnavailableError), transaction("silent", settings) as session:
            session.execute(text("select 1"))
    finally:
        dispose_engines()
    silent_listener.settimeout(0)
    connection, _ = silent_listener.accept()  # the attempt did reach it: the timeout, not a refusal, ended it
    connection.close()


@pytest.fixture
def stopped_postgres() -> PostgresServer:
    """A real PostgreSQL server that was started and then stopped: its port now refuses."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        skip_or_fail("PostgreSQL binaries not found")
        raise AssertionError
    server = PostgresServer(bin_dir)
    server.start()
    server.stop()
    return server


def _point_registry_at(url: str, monkeypatch: pytest.MonkeyPatch, connect_timeout: float = 5.0) -> None:
    from registry.settings import registry_database

    monkeypatch.setenv("REGISTRY_DATABASE_URL", url)
    monkeypatch.setenv("REGISTRY_DATABASE_CONNECT_TIMEOUT_SECONDS", str(connect_timeout))
    registry_database.cache_clear()
    dispose_engines()


def _assert_retry_later(answer) -> None:
    assert answer.status == 503, answer.body
    assert answer.content_type == PROBLEM_CONTENT_TYPE
    assert answer.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert answer.body["status"] == 503
    assert answer.body["title"] == "Database unavailable"
    assert "try again" in answer.body["detail"]


def test_the_api_answers_503_with_retry_after_when_the_database_is_stopped(stopped_postgres, monkeypatch, event_bus):
    _point_registry_at(stopped_postgres.url("registry"), monkeypatch)
    try:
        _assert_retry_later(invoke_api("GET", "/services"))
    finally:
        dispose_engines()


def test_the_api_answers_503_with_retry_after_when_the_database_never_answers(silent_listener, monkeypatch, event_bus):
    port = silent_listener.getsockname()[1]
    _point_registry_at(f"postgresql+pg8000://nobody:secret@127.0.0.1:{port}/registry", monkeypatch, 0.5)
    try:
        _assert_retry_later(invoke_api("POST", "/services/00000000-0000-0000-0000-000000000000/health-check"))
    finally:
        dispose_engines()


def test_while_the_users_database_cannot_answer_the_authorizer_makes_the_api_answer_503_not_500(
    stopped_postgres, monkeypatch, platform
):
    # a real signed-in user, whose token the authorizer can only check against the users database
    account = sign_up()
    from users.settings import users_database

    monkeypatch.setenv("USERS_DATABASE_URL", stopped_postgres.url("users"))
    users_database.cache_clear()
    dispose_engines()
    try:
        for token in (account.access_token, "fip_0123456789abcdef_" + "x" * 43):
            answer = invoke_api("GET", "/services", token=token)
            assert answer.status == 503, answer.body
            assert answer.content_type == PROBLEM_CONTENT_TYPE
            # API Gateway keeps the authorizer's answer for its cache time: come back after that
            assert answer.headers["Retry-After"] == str(USERS.authorizer_cache_seconds)
            assert answer.body["title"] == "Database unavailable"
        # a forged token needs no database to be refused
        assert invoke_api("GET", "/services", token="not-a-jwt").status == 403
    finally:
        users_database.cache_clear()
        dispose_engines()

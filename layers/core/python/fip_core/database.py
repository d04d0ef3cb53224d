"""One SQLAlchemy engine per domain, made once per container.

Locally the URL is a SQLite file; in the cloud the engine connects with pg8000 to the domain's own
Aurora PostgreSQL cluster using the credentials Secrets Manager holds for it.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, create_engine, event
from sqlalchemy.engine import URL, Dialect, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from fip_core.aws import aws_client
from fip_core.container import on_forget
from fip_core.settings import DatabaseSettings

# constraint names every domain's metadata uses, so migrations can refer to them on any database
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}

_engines: dict[str, Engine] = {}
_sessions: dict[str, sessionmaker[Session]] = {}


class DatabaseNotConfiguredError(RuntimeError):
    """Neither a database URL nor a secret was given for a domain."""


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on PostgreSQL and SQLite alike.

    SQLite has no time zones: values are stored as naive UTC and made aware again on the way out,
    so comparisons in SQL and in Python agree on both databases.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _read_secret(arn: str) -> dict[str, Any]:
    secret: dict[str, Any] = json.loads(aws_client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])
    return secret


def resolve_database_url(settings: DatabaseSettings) -> URL:
    """The SQLAlchemy URL of a domain's database: given directly, or built from its secret."""
    if settings.database_url:
        return make_url(settings.database_url)
    if settings.database_secret_arn:
        secret = _read_secret(settings.database_secret_arn)
        return URL.create(
            "postgresql+pg8000",
            username=secret["username"],
            password=secret["password"],
            host=secret["host"],
            port=int(secret.get("port", 5432)),
            database=secret.get("dbname") or secret["username"],
        )
    raise DatabaseNotConfiguredError("set <DOMAIN>_DATABASE_URL or <DOMAIN>_DATABASE_SECRET_ARN")


def _reread_secret_on_refusal(engine: Engine, secret_arn: str) -> None:
    """The secret rotates: when the database refuses a new connection, read the secret again and
    retry once with what it holds now, instead of failing until the container is replaced."""

    @event.listens_for(engine, "do_connect")
    def connect(dialect: Dialect, _record: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
        try:
            return dialect.connect(*cargs, **cparams)
        except dialect.loaded_dbapi.Error:
            secret = _read_secret(secret_arn)
            if (secret["username"], secret["password"]) == (cparams.get("user"), cparams.get("password")):
                raise  # not a rotation: the same credentials, so the refusal stands
            cparams.update(user=secret["username"], password=secret["password"])
            return dialect.connect(*cargs, **cparams)


def create_domain_engine(url: URL, secret_arn: str | None = None) -> Engine:
    """An engine tuned for one Lambda container (or one local process) talking to one database."""
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args: dict[str, Any] = {}
    if url.host not in ("127.0.0.1", "localhost", None):
        connect_args["ssl_context"] = _aurora_tls_context()
    # One container serves one request at a time: one connection, checked before use because
    # Aurora may have dropped it while the container was frozen.
    engine = create_engine(
        url, pool_size=1, max_overflow=0, pool_pre_ping=True, pool_recycle=300, connect_args=connect_args
    )
    if secret_arn:
        _reread_secret_on_refusal(engine, secret_arn)
    return engine


def _aurora_tls_context() -> ssl.SSLContext:
    # Traffic stays inside the VPC; TLS encrypts it. The Amazon RDS CA bundle is not in the Lambda
    # trust store, so the certificate chain is not verified here.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def domain_engine(domain: str, settings: DatabaseSettings) -> Engine:
    """The engine of one domain, made on first use and kept for the life of the container."""
    engine = _engines.get(domain)
    if engine is None:
        secret_arn = None if settings.database_url else settings.database_secret_arn
        engine = _engines[domain] = create_domain_engine(resolve_database_url(settings), secret_arn)
    return engine


@contextmanager
def transaction(domain: str, settings: DatabaseSettings) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on any error."""
    factory = _sessions.get(domain)
    if factory is None:
        factory = _sessions[domain] = sessionmaker(domain_engine(domain, settings), expire_on_commit=False)
    with factory.begin() as session:
        yield session


def dispose_engines() -> None:
    """Close every engine (tests and the local platform point domains at new databases)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
    _sessions.clear()


on_forget(dispose_engines)

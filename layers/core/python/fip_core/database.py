"""One SQLAlchemy engine per domain, made once per container.

Locally the URL is a SQLite file; in the cloud the engine connects with pg8000 to the domain's own
database on the platform's Aurora PostgreSQL cluster, as the login role whose credentials Secrets
Manager holds for the function, over TLS verified against the Amazon RDS certificate authorities
(fip_core.tls).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pg8000 import exceptions as pg8000_errors
from pg8000.converters import TIMESTAMPTZ, timestamptz_in
from sqlalchemy import DateTime, Engine, create_engine, event
from sqlalchemy.engine import URL, Dialect, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from fip_core.aws import aws_client
from fip_core.container import on_forget
from fip_core.problems import UnavailableError
from fip_core.settings import DatabaseSettings
from fip_core.tls import RDS_CA_BUNDLE as RDS_CA_BUNDLE  # noqa: PLC0414 - re-exported
from fip_core.tls import verified_tls_context as verified_tls_context  # noqa: PLC0414 - re-exported

# A URL may name the CA file to verify the server against (tests, a database outside AWS); it is
# taken out of the URL before SQLAlchemy sees it.
CA_FILE_QUERY_PARAMETER = "sslrootcert"
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", None)
# A connection idle longer than this is pinged before use (_ping_after_idle).
PING_AFTER_IDLE_SECONDS = 1.0
_IDLE_SINCE = "fip_idle_since"
# An Aurora Serverless v2 instance resumes from auto-pause in about 15 seconds.
RETRY_AFTER_SECONDS = 15
# SQLSTATEs that say "not now" rather than "never": starting up or resuming (57P03), shutting down
# (57P01, 57P02), out of connection slots or resources (53300, 53000), a statement cancelled by its
# timeout (57014), and the connection exceptions (08xxx).
_UNAVAILABLE_STATES = frozenset(
    {"57P03", "57P01", "57P02", "53300", "53000", "57014", "08000", "08001", "08003", "08004", "08006"}
)

# constraint names every domain's metadata uses, so migrations can refer to them on any database
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}

_engines: dict[str, Engine] = {}
_sessions: dict[tuple[str, bool], sessionmaker[Session]] = {}


class DatabaseNotConfiguredError(RuntimeError):
    """Neither a database URL nor a secret was given for a domain."""


class DatabaseUnavailableError(UnavailableError):
    """The database did not answer in time, is resuming from a pause, or has no connection to spare:
    the request was not applied, and trying again shortly helps."""

    title = "Database unavailable"

    def __init__(self, retry_after_seconds: int = RETRY_AFTER_SECONDS) -> None:
        super().__init__(f"the database is starting or busy; nothing was changed, try again in {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds


def database_unavailable(error: BaseException) -> bool:
    """Whether an error means the database cannot serve right now (as opposed to a bug or a refusal
    that stays): no connection in time, refused, dropped, resuming, out of slots, statement timeout."""
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        return error.orig is not None and database_unavailable(error.orig)
    # pg8000 raises socket timeouts raw (a silent server); its InterfaceError is a failed connection
    if isinstance(error, TimeoutError | ConnectionError | pg8000_errors.InterfaceError):
        return True
    if isinstance(error, pg8000_errors.DatabaseError) and error.args and isinstance(error.args[0], dict):
        return error.args[0].get("C") in _UNAVAILABLE_STATES
    return False


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


def create_domain_engine(url: URL, settings: DatabaseSettings | None = None) -> Engine:
    """An engine tuned for one Lambda container (or one local process) talking to one database.

    PostgreSQL away from loopback is reached over TLS, the server's certificate and name verified
    against the bundled Amazon RDS authorities (or the CA file the URL names); connecting and every
    statement are bounded by the settings' timeouts."""
    settings = settings or DatabaseSettings()
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    ca_file = url.query.get(CA_FILE_QUERY_PARAMETER)
    url = url.difference_update_query([CA_FILE_QUERY_PARAMETER])
    connect_timeout = settings.database_connect_timeout_seconds
    statement_timeout = settings.database_statement_timeout_seconds
    connect_args: dict[str, Any] = {
        # pg8000's one socket timeout covers connecting and reading: it outlasts the statement timeout,
        # so that a slow statement ends with the server's own cancellation, not a cut connection
        "timeout": connect_timeout + statement_timeout,
        "startup_params": {"statement_timeout": str(int(statement_timeout * 1000))},
    }
    if ca_file is not None or url.host not in _LOOPBACK_HOSTS:
        connect_args["ssl_context"] = verified_tls_context(Path(str(ca_file)) if ca_file else RDS_CA_BUNDLE)
    # One container serves one request at a time: one connection, checked before use when it has been
    # idle (Aurora may have dropped it while the container was frozen).
    engine = create_engine(url, pool_size=1, max_overflow=0, pool_recycle=300, connect_args=connect_args)
    event.listen(engine, "connect", _fast_timestamps)
    event.listen(engine, "checkin", _idle_from_now)
    event.listen(engine, "checkout", _ping_after_idle)
    secret_arn = None if settings.database_url else settings.database_secret_arn
    _connect_within(engine, connect_timeout, secret_arn)
    return engine


def _connect_within(engine: Engine, connect_timeout: float, secret_arn: str | None) -> None:
    """Reaching and greeting the server is bounded by the connect timeout alone; only then does the
    socket get the longer timeout that lets statements run. And the secret rotates: when the database
    refuses a new connection, read the secret again and retry once with what it holds now, instead
    of failing until the container is replaced."""

    def connect(dialect: Dialect, cargs: Any, cparams: dict[str, Any]) -> Any:
        connection = dialect.connect(*cargs, **{**cparams, "timeout": connect_timeout})
        connection._usock.settimeout(cparams["timeout"])  # noqa: SLF001 - pg8000 has no public setter
        return connection

    @event.listens_for(engine, "do_connect")
    def do_connect(dialect: Dialect, _record: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
        try:
            return connect(dialect, cargs, cparams)
        except dialect.loaded_dbapi.Error:
            if secret_arn is None:
                raise
            secret = _read_secret(secret_arn)
            if (secret["username"], secret["password"]) == (cparams.get("user"), cparams.get("password")):
                raise  # not a rotation: the same credentials, so the refusal stands
            cparams.update(user=secret["username"], password=secret["password"])
            return connect(dialect, cargs, cparams)


def _idle_from_now(_dbapi_connection: Any, record: Any) -> None:
    record.info[_IDLE_SINCE] = (time.monotonic(), time.time())


def _ping_after_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Ping a connection idle for more than `PING_AFTER_IDLE_SECONDS` before it is used, and have the pool
    replace it if the server does not answer (what `pool_pre_ping` does before every use: a round trip
    per transaction that requests following each other in a warm container do not need). Both clocks
    must agree that it was used just now: a frozen container's monotonic clock may not count the freeze."""
    since = record.info.get(_IDLE_SINCE)
    if since is None:
        return  # connected just now
    now = (time.monotonic(), time.time())
    if all(0 <= current - then < PING_AFTER_IDLE_SECONDS for current, then in zip(now, since, strict=True)):
        return
    try:
        # the dialect's own ping, as pool_pre_ping calls it
        alive = record.pool._dialect.do_ping(dbapi_connection)  # noqa: SLF001
    except Exception as error:
        raise DisconnectionError("the connection was dropped while idle") from error
    if not alive:
        raise DisconnectionError("the connection was dropped while idle")


def parse_timestamptz(text: str) -> datetime | str:
    """A `timestamptz` as PostgreSQL writes it (`2026-12-01 16:59:46.12+00`), read with the standard
    library's ISO parser, a hundred times faster than pg8000's strptime (which took a quarter of a warm
    GET /services?limit=100 on PostgreSQL: bench/api_warm.py); what it cannot read (infinity, BC dates,
    years past 9999) is left to pg8000's own parser, which answers the same as before."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return timestamptz_in(text)  # type: ignore[no-any-return]


def _fast_timestamps(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.register_in_adapter(TIMESTAMPTZ, parse_timestamptz)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def domain_engine(domain: str, settings: DatabaseSettings) -> Engine:
    """The engine of one domain, made on first use and kept for the life of the container."""
    engine = _engines.get(domain)
    if engine is None:
        engine = _engines[domain] = create_domain_engine(resolve_database_url(settings), settings)
    return engine


@contextmanager
def transaction(domain: str, settings: DatabaseSettings, *, read_only: bool = False) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on any error; a database that
    cannot serve right now raises `DatabaseUnavailableError` (a 503 problem with Retry-After).

    A `read_only` session refuses every write (`ReadOnlySessionError`) and, on PostgreSQL, runs each
    statement on its own instead of inside BEGIN and COMMIT: two round trips fewer, and the same
    answers, since under READ COMMITTED (PostgreSQL's default, and ours) each statement of a transaction
    sees its own snapshot anyway."""
    try:
        if read_only:
            with _session_factory(domain, settings, read_only=True)() as session, _statements_on_their_own(session):
                yield session
        else:
            with _session_factory(domain, settings).begin() as session:
                yield session
    except (DBAPIError, TimeoutError, ConnectionError) as error:
        if database_unavailable(error):
            raise DatabaseUnavailableError from error
        raise


def _session_factory(domain: str, settings: DatabaseSettings, *, read_only: bool = False) -> sessionmaker[Session]:
    factory = _sessions.get((domain, read_only))
    if factory is None:
        factory = _sessions[(domain, read_only)] = sessionmaker(domain_engine(domain, settings), expire_on_commit=False)
        if read_only:  # the refusals registered once, on every session the factory makes
            event.listen(factory, "before_flush", _refuse_flush)
            event.listen(factory, "do_orm_execute", _refuse_writes)
    return factory


class ReadOnlySessionError(RuntimeError):
    """Something tried to write in a session opened for reading."""


@contextmanager
def _statements_on_their_own(session: Session) -> Iterator[None]:
    dbapi_connection = session.connection().connection.dbapi_connection
    # pg8000 sends BEGIN before a statement unless autocommit is on; SQLite's driver begins only before a
    # write, which this session refuses anyway
    on_its_own = session.get_bind().dialect.name == "postgresql" and dbapi_connection is not None
    if on_its_own:
        dbapi_connection.autocommit = True  # type: ignore[union-attr]
    try:
        yield
    finally:
        if on_its_own:
            dbapi_connection.autocommit = False  # type: ignore[union-attr]
        session.rollback()  # nothing to undo: it ends the session's transaction without a COMMIT


def _refuse_flush(session: Session, *_: Any) -> None:
    if session.new or session.dirty or session.deleted:
        raise ReadOnlySessionError("this session reads; write in a transaction")


def _refuse_writes(state: Any) -> None:
    if not state.is_select:
        raise ReadOnlySessionError("this session reads; write in a transaction")


def dispose_engines() -> None:
    """Close every engine (tests and the local platform point domains at new databases)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
    _sessions.clear()


on_forget(dispose_engines)

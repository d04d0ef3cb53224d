"""Fixtures shared by every test: an isolated environment, moto in server mode, the domain
databases on SQLite and on a real PostgreSQL, and simulated external services."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# No test may reach real AWS: fake credentials and a dead endpoint until a fixture sets moto's.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_EC2_METADATA_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
)

from fip_core.aws import aws_client
from fip_core.database import dispose_engines
from fip_core.settings import platform_settings
from tests.support.moto_server import MotoServer
from tests.support.postgres import INSTALL_HINT, DomainUrls, PostgresServer, find_bin_dir
from tests.support.simulated_services import SimulatedServices, SimulatedServicesThread

REQUIRE_ALL = os.environ.get("FIP_REQUIRE_ALL_TESTS") == "1"  # set by .ci/run: nothing may be skipped
REPO = Path(__file__).resolve().parent.parent


def skip_or_fail(reason: str) -> None:
    """Skip a test that needs what this machine lacks, or fail where every test must run."""
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (FIP_REQUIRE_ALL_TESTS=1 forbids skipping)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def moto() -> Iterator[MotoServer]:
    """moto in server mode on loopback, with AWS_ENDPOINT_URL pointing at it."""
    server = MotoServer()
    server.start()
    previous = os.environ["AWS_ENDPOINT_URL"]
    os.environ["AWS_ENDPOINT_URL"] = server.endpoint
    aws_client.cache_clear()
    yield server
    os.environ["AWS_ENDPOINT_URL"] = previous
    aws_client.cache_clear()
    server.stop()


@pytest.fixture
def event_bus(moto: MotoServer) -> MotoServer:
    """A fresh AWS state with the platform's event bus and a queue capturing every event on it."""
    moto.reset()
    moto.create_bus_with_capture(platform_settings().event_bus_name)
    return moto


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the whole run, started from the installed binaries."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        skip_or_fail(f"PostgreSQL binaries not found: {INSTALL_HINT}")
        raise AssertionError  # unreachable: skip_or_fail raises
    server = PostgresServer(bin_dir)
    server.start()
    yield server
    server.stop()


_database_counter = 0


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_backend(request: pytest.FixtureRequest) -> str:
    """The database every domain of the test uses: SQLite, then PostgreSQL (the test runs on each)."""
    return str(request.param)


@pytest.fixture
def new_database(database_backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], DomainUrls]:
    """Makes an empty database on the test's backend and answers its URLs: on PostgreSQL, provisioned
    as in the cloud, with an owner role for migrations and a restricted app role for the handlers."""

    def make(name: str) -> DomainUrls:
        global _database_counter  # noqa: PLW0603 - a unique name per database on the shared server
        if database_backend == "sqlite":
            url = f"sqlite:///{tmp_path / name}.db"
            return DomainUrls(owner=url, app=url)
        server: PostgresServer = request.getfixturevalue("postgres")
        _database_counter += 1
        return server.provision(f"test_{os.getpid()}_{_database_counter}_{name}")

    return make


@pytest.fixture
def database_url(new_database: Callable[[str], DomainUrls]) -> str:
    """One empty database, as its owner (who may change its schema)."""
    return new_database("domain").owner


def _point_domain_at(domain: str, url: str, monkeypatch: pytest.MonkeyPatch, caches: list[Any]) -> None:
    monkeypatch.setenv(f"{domain.upper()}_DATABASE_URL", url)
    for cached in caches:
        cached.cache_clear()
    dispose_engines()


def _migrate_then_serve(
    domain: str,
    urls: DomainUrls,
    migrate: Callable[[dict[str, Any]], Any],
    monkeypatch: pytest.MonkeyPatch,
    caches: list[Any],
) -> None:
    """Migrate as the owner, as the migrations function does; then point the handlers at the app role."""
    _point_domain_at(domain, urls.owner, monkeypatch, caches)
    migrate({})
    _point_domain_at(domain, urls.app, monkeypatch, caches)


@pytest.fixture
def registry_db(new_database: Callable[[str], DomainUrls], monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The registry pointed at a fresh, migrated database, as its app role."""
    from registry.handlers.migrate import migrate
    from registry.settings import registry_database, registry_settings

    urls = new_database("registry")
    _migrate_then_serve("registry", urls, migrate, monkeypatch, [registry_database, registry_settings])
    yield urls.app
    dispose_engines()
    registry_database.cache_clear()
    registry_settings.cache_clear()


@pytest.fixture
def identity(event_bus: MotoServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The user pool, its app client and groups, and the credentials key, made in moto; the users
    domain talks to the pool through a double that checks codes as Cognito does (`cognito`)."""
    from infra.domains import DOMAINS
    from local_platform.aws import AwsEndpoints
    from local_platform.resources import provision_resources
    from tests.support.cognito import CodeCheckingCognito
    from users.adapters import cognito as cognito_adapter
    from users.settings import users_settings

    environment = provision_resources(AwsEndpoints(event_bus.endpoint), DOMAINS).environment
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    users_settings.cache_clear()
    double = CodeCheckingCognito(event_bus.client("cognito-idp"), users_settings().user_pool_id)
    monkeypatch.setattr(cognito_adapter, "cognito_client", lambda: double)
    _forget_users_adapters()
    yield environment
    users_settings.cache_clear()
    _forget_users_adapters()


@pytest.fixture
def cognito(identity: dict[str, str]) -> Any:
    """The code-checking double in front of moto's Cognito (tests.support.cognito): its mailbox, its
    clock and the failures it is told to raise."""
    from users.adapters.cognito import cognito_client

    return cognito_client()


def _forget_users_adapters() -> None:
    from users.adapters.cognito import cognito_accounts
    from users.adapters.kms import credential_cipher
    from users.handlers import authorizer

    for cached in (cognito_accounts, credential_cipher, authorizer._authenticator):  # noqa: SLF001
        cached.cache_clear()


@pytest.fixture
def users_db(
    new_database: Callable[[str], DomainUrls], identity: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The users domain pointed at a fresh, migrated database as its app role, with its identity
    resources in moto."""
    from users.handlers.migrate import migrate
    from users.settings import users_database

    urls = new_database("users")
    _migrate_then_serve("users", urls, migrate, monkeypatch, [users_database])
    yield urls.app
    dispose_engines()
    users_database.cache_clear()


@pytest.fixture
def files_db(
    new_database: Callable[[str], DomainUrls], event_bus: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The files domain pointed at a fresh, migrated database as its app role, with its bucket in moto."""
    from files.declaration import DECLARATION as FILES
    from files.handlers.migrate import migrate
    from files.settings import files_database, files_settings
    from local_platform.aws import AwsEndpoints
    from local_platform.resources import provision_resources

    for key, value in provision_resources(AwsEndpoints(event_bus.endpoint), (FILES,)).environment.items():
        monkeypatch.setenv(key, value)
    urls = new_database("files")
    _migrate_then_serve("files", urls, migrate, monkeypatch, [files_database, files_settings])
    yield urls.app
    dispose_engines()
    files_database.cache_clear()
    files_settings.cache_clear()


@pytest.fixture
def jobs_db(new_database: Callable[[str], DomainUrls], monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The jobs domain pointed at a fresh, migrated database, as its app role."""
    from jobs.adapters.passwords import password_cipher
    from jobs.handlers.migrate import migrate
    from jobs.settings import jobs_database, jobs_settings

    urls = new_database("jobs")
    # the cipher too: made once per container with the key of the test that first used it
    _migrate_then_serve("jobs", urls, migrate, monkeypatch, [jobs_database, jobs_settings, password_cipher])
    yield urls.app
    dispose_engines()
    for cached in (jobs_database, jobs_settings, password_cipher):
        cached.cache_clear()


@pytest.fixture
def notifications_db(
    new_database: Callable[[str], DomainUrls], users_db: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The notifications domain on a fresh, migrated database as its app role, its sender verified in
    moto's SES (by `identity`), and the users domain's `contacts` answering its declared calls through
    the local platform's Lambda Invoke API on loopback, as under `make run`."""
    from fip_core.aws import aws_client
    from infra.domains import DOMAINS
    from local_platform.invoke import LambdaInvokeApi, LambdaInvokeServer
    from local_platform.lambdas import FunctionRuntime
    from notifications.adapters.ses import ses_mailer
    from notifications.declaration import DECLARATION as NOTIFICATIONS
    from notifications.handlers.migrate import migrate
    from notifications.settings import notifications_database, notifications_settings

    server = LambdaInvokeServer(LambdaInvokeApi(DOMAINS, FunctionRuntime(DOMAINS).invoke))
    server.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", server.endpoint)
    for call in NOTIFICATIONS.calls:
        monkeypatch.setenv(call.variable(NOTIFICATIONS.name), f"{call.domain}-{call.target}")
    caches = [notifications_database, notifications_settings, ses_mailer, aws_client]
    urls = new_database("notifications")
    _migrate_then_serve("notifications", urls, migrate, monkeypatch, caches)
    yield urls.app
    server.stop()
    dispose_engines()
    for cached in caches:
        cached.cache_clear()


@pytest.fixture
def monitoring_db(new_database: Callable[[str], DomainUrls], monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The monitoring domain pointed at a fresh, migrated database, as its app role."""
    from monitoring.handlers.migrate import migrate
    from monitoring.settings import monitoring_database, monitoring_settings

    urls = new_database("monitoring")
    _migrate_then_serve("monitoring", urls, migrate, monkeypatch, [monitoring_database, monitoring_settings])
    yield urls.app
    dispose_engines()
    monitoring_database.cache_clear()
    monitoring_settings.cache_clear()


@pytest.fixture
def platform(
    registry_db: str,
    users_db: str,
    files_db: str,
    jobs_db: str,
    notifications_db: str,
    monitoring_db: str,
    event_bus: MotoServer,
) -> MotoServer:
    """Every domain on fresh databases, with moto holding the bus, the user pool and the key."""
    return event_bus


@pytest.fixture
def outbound_to_loopback(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Outbound calls may reach loopback over plain HTTP, as `make run` lets them: for the tests whose
    services run on this machine. Every other test keeps the safe defaults."""
    from fip_core.outbound.policy import outbound_settings
    from jobs.adapters.services import outbound_client
    from registry.probes.catalogue import http_catalogue_reader
    from registry.probes.service import http_prober

    monkeypatch.setenv("FIP_ALLOW_PRIVATE_NETWORKS", "true")
    monkeypatch.setenv("FIP_REQUIRE_HTTPS", "false")
    made_per_container = (outbound_settings, http_prober, http_catalogue_reader, outbound_client)
    for cached in made_per_container:
        cached.cache_clear()
    yield
    for cached in made_per_container:
        cached.cache_clear()


@pytest.fixture(scope="session")
def simulated() -> Iterator[SimulatedServices]:
    """Simulated external services answering at once, in a thread of this process."""
    thread = SimulatedServicesThread(delay=0.0)
    services = thread.start()
    yield services
    thread.stop()


@pytest.fixture(scope="session")
def sapporo_bin() -> Path:
    """The sapporo executable from its own virtual environment (made by `make test`)."""
    executable = REPO / ".venv-sapporo" / "bin" / "sapporo"
    if not executable.exists():
        found = shutil.which("sapporo")
        if found is None:
            skip_or_fail(
                "sapporo is not installed: run `make sapporo` (installs tests/support/sapporo-requirements.lock)"
            )
        return Path(str(found))
    return executable


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A loopback listener that must see no connection: `accept()` raises BlockingIOError while none came."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.setblocking(False)
        yield server

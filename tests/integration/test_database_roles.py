"""One cluster, a database per domain: the provisioning step makes each domain's database and its two
login roles with the master credentials, and re-running it changes nothing that is right and repairs
what drifted. A domain's roles cannot reach another domain's database; the app role the handlers use
reads and writes rows and cannot change the schema. All against the real PostgreSQL the tests start."""

from __future__ import annotations

import json
from itertools import count

import pg8000.native
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from fip_core import provisioning
from fip_core.database import database_unavailable, transaction, verified_tls_context
from fip_core.provisioning import PLAN_VARIABLE, app_role, owner_role, provision_from_environment
from tests.support.postgres import DomainUrls, PostgresServer

pytestmark = pytest.mark.postgres

_names = count()
PERMISSION_DENIED = "42501"


def _domain(postgres: PostgresServer, app_connection_limit: int = -1) -> tuple[str, DomainUrls]:
    name = f"roles_{next(_names)}"
    return name, postgres.provision(name, app_connection_limit)


def _connect(url: str, database: str | None = None) -> pg8000.native.Connection:
    parsed = make_url(url)
    return pg8000.native.Connection(
        str(parsed.username),
        password=parsed.password,
        host="127.0.0.1",
        port=parsed.port or 5432,
        database=database or parsed.database,
    )


def _refusal_code(error: pg8000.native.DatabaseError) -> str:
    return str(error.args[0]["C"])


def _run_as(url: str, sql: str) -> list[object]:
    connection = _connect(url)
    try:
        return list(connection.run(sql) or [])
    finally:
        connection.close()


def test_each_domain_gets_a_database_its_owner_role_owns_and_no_one_else_may_enter(postgres):
    name, _ = _domain(postgres)
    rows = postgres.execute(
        f"SELECT pg_get_userbyid(datdba), datacl::text FROM pg_database WHERE datname = '{name}'"  # noqa: S608
    )
    owner, acl = rows[0]
    assert owner == owner_role(name)
    assert f"{app_role(name)}=c/" in acl  # CONNECT and nothing else
    # PUBLIC lost its default CONNECT and TEMPORARY
    assert "=Tc/" not in acl
    assert not acl.startswith("{=")


def test_a_domains_roles_cannot_connect_to_another_domains_database(postgres):
    _, first = _domain(postgres)
    other, _ = _domain(postgres)
    for url in (first.app, first.owner):
        with pytest.raises(pg8000.native.DatabaseError) as refused:
            _connect(url, database=other)
        assert _refusal_code(refused.value) == PERMISSION_DENIED


def test_the_app_role_reads_and_writes_rows_of_tables_later_migrations_create_but_changes_no_schema(postgres):
    _, urls = _domain(postgres)
    _run_as(urls.owner, "CREATE TABLE later (id serial PRIMARY KEY, name text)")  # a migration, after provisioning
    _run_as(urls.app, "INSERT INTO later (name) VALUES ('a')")
    _run_as(urls.app, "UPDATE later SET name = 'b'")
    assert _run_as(urls.app, "SELECT name FROM later") == [["b"]]
    _run_as(urls.app, "DELETE FROM later")
    for ddl in (
        "CREATE TABLE mine (id int)",
        "ALTER TABLE later ADD COLUMN extra text",
        "DROP TABLE later",
        "TRUNCATE later",
        "CREATE INDEX ix_later_name ON later (name)",
        "CREATE TEMPORARY TABLE scratch (id int)",
    ):
        with pytest.raises(pg8000.native.DatabaseError) as refused:
            _run_as(urls.app, ddl)
        assert _refusal_code(refused.value) == PERMISSION_DENIED, ddl


def test_provisioning_again_changes_nothing_and_repairs_a_drifted_password(postgres):
    name, urls = _domain(postgres)
    _run_as(urls.owner, "CREATE TABLE kept (id int)")
    _run_as(urls.owner, "INSERT INTO kept VALUES (1)")
    postgres.execute(f"ALTER ROLE {app_role(name)} PASSWORD 'drifted-by-hand-1'")
    with pytest.raises(pg8000.native.DatabaseError):
        _run_as(urls.app, "SELECT 1")
    again = postgres.provision(name)  # new passwords, as if the secrets had been replaced
    assert _run_as(again.app, "SELECT id FROM kept") == [[1]]  # the data and the grants survive
    assert _run_as(again.owner, "SELECT count(*) FROM kept") == [[1]]


def test_the_app_roles_connection_limit_is_enforced_and_reads_as_unavailability(postgres):
    _, urls = _domain(postgres, app_connection_limit=1)
    first = _connect(urls.app)
    try:
        with pytest.raises(pg8000.native.DatabaseError) as refused:
            _connect(urls.app)
        assert _refusal_code(refused.value) == "53300"  # too many connections for role
        assert database_unavailable(refused.value)
    finally:
        first.close()


@pytest.mark.parametrize("database_backend", ["postgresql"])  # roles exist on PostgreSQL only
def test_the_handlers_log_in_as_the_app_role_on_the_postgresql_leg(registry_db, database_backend):
    from registry.settings import registry_database

    with transaction("registry", registry_database()) as session:
        user = session.execute(text("SELECT current_user")).scalar()
        assert str(user).endswith("_app")
        denied = session.execute(
            text(
                "SELECT has_schema_privilege('public', 'CREATE'), "
                "has_table_privilege('imputation_services', 'TRUNCATE')"
            )
        ).one()
    assert tuple(denied) == (False, False)


def test_the_provisioning_function_reads_every_secret_and_provisions_over_verified_tls(postgres, moto, monkeypatch):
    secrets = moto.client("secretsmanager")
    name = f"roles_{next(_names)}"
    master = {"username": "postgres", "password": postgres.password, "host": "127.0.0.1", "port": postgres.port}
    logins = {"owner": owner_role(name), "app": app_role(name)}
    arns = {
        kind: secrets.create_secret(
            Name=f"{name}-{kind}",
            SecretString=json.dumps({"username": username, "password": f"{kind}-Password-1", "dbname": name}),
        )["ARN"]
        for kind, username in logins.items()
    }
    master_arn = secrets.create_secret(Name=f"{name}-master", SecretString=json.dumps(master))["ARN"]
    plan = [{"master_secret_arn": master_arn, "owner_secret_arn": arns["owner"], "app_secret_arn": arns["app"]}]
    monkeypatch.setenv(PLAN_VARIABLE, json.dumps([{**plan[0], "app_connection_limit": 5}]))
    # the server's certificate is signed by the tests' CA where Aurora's is signed by the RDS CA
    trusting_the_test_ca = verified_tls_context(postgres.certificates.ca_file)
    monkeypatch.setattr(provisioning, "verified_tls_context", lambda: trusting_the_test_ca)

    assert provision_from_environment({}) == {"provisioned": [name]}
    assert provision_from_environment({}) == {"provisioned": [name]}  # a second deploy
    app_url = postgres.url(name, logins["app"], "app-Password-1")
    assert _run_as(app_url, "SELECT current_user") == [[logins["app"]]]
    limit = postgres.execute(f"SELECT rolconnlimit FROM pg_roles WHERE rolname = '{logins['app']}'")  # noqa: S608
    assert limit == [[5]]

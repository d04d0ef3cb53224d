"""Each domain's database and login roles on the platform's PostgreSQL cluster, made with the
cluster's master credentials before the domain's migrations run on deploy (no domain function holds
those credentials). Safe to run again: it creates what is missing and repairs what has drifted.

Per domain `<d>`: a database `<d>` owned by the role `<d>_owner`, which only the migrations function
logs in as; a role `<d>_app` that every other function of the domain logs in as, which may read and
write the tables of that database and nothing else (no DDL, no other database, since CONNECT is
revoked from PUBLIC and granted to the domain's roles alone). Default privileges give `<d>_app` the
tables and sequences later migrations create."""

from __future__ import annotations

import json
import os
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pg8000.native
from pg8000.native import identifier, literal

from fip_core.observability import observability
from fip_core.tasks import task_handler
from fip_core.tls import verified_tls_context

# What the provisioning function is told: a JSON list of `DomainDatabasePlan` secrets by ARN.
PLAN_VARIABLE = "FIP_DATABASE_PROVISIONING"
OWNER_CONNECTION_LIMIT = 3  # the migrations function (one at a time), the owner secret's rotation, an operator
_AUTHENTICATION_FAILED = "28P01"  # SQLSTATE invalid_password
_TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
_SEQUENCE_PRIVILEGES = "USAGE, SELECT"

obs = observability("platform")


def owner_role(domain: str) -> str:
    """The login role that owns a domain's database and runs its migrations."""
    return f"{domain}_owner"


def app_role(domain: str) -> str:
    """The login role a domain's functions use: its tables' rows, nothing else."""
    return f"{domain}_app"


@dataclass(frozen=True)
class Login:
    """A role's name and password."""

    username: str
    password: str


@dataclass(frozen=True)
class Server:
    """Where the cluster is and who may administer it (the master credentials)."""

    host: str
    port: int
    admin: Login
    admin_database: str = "postgres"
    tls: ssl.SSLContext | None = None  # None: pg8000's own choice, for a loopback server only
    timeout_seconds: float = 30.0


@dataclass(frozen=True)
class DomainDatabasePlan:
    """One domain's database and its two login roles."""

    database: str
    owner: Login
    app: Login
    app_connection_limit: int = -1  # -1: no limit of its own


def provision(server: Server, plan: DomainDatabasePlan) -> None:
    """Make (or repair) one domain's database, roles and grants."""
    with _connect(server, server.admin, server.admin_database) as admin:
        _ensure_login(server, admin, plan.owner, plan.database, OWNER_CONNECTION_LIMIT)
        _ensure_login(server, admin, plan.app, plan.database, plan.app_connection_limit)
        owner, app = identifier(plan.owner.username), identifier(plan.app.username)
        database = identifier(plan.database)
        # A CREATEROLE administrator (Aurora's master) may make a database another role owns only as a member of it.
        admin.run(f"GRANT {owner} TO CURRENT_USER")
        if not admin.run("SELECT 1 FROM pg_database WHERE datname = :name", name=plan.database):
            admin.run(f"CREATE DATABASE {database} OWNER {owner}")
        admin.run(f"ALTER DATABASE {database} OWNER TO {owner}")
        admin.run(f"REVOKE ALL ON DATABASE {database} FROM PUBLIC")
        admin.run(f"GRANT CONNECT ON DATABASE {database} TO {app}")
    with _connect(server, server.admin, plan.database) as inside:
        inside.run("REVOKE ALL ON SCHEMA public FROM PUBLIC")
        inside.run(f"GRANT ALL ON SCHEMA public TO {owner}")
        inside.run(f"GRANT USAGE ON SCHEMA public TO {app}")
        # as the owner, so that the grants and default privileges are the owner's, whose tables they cover
        inside.run(f"SET ROLE {owner}")
        inside.run(f"GRANT {_TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA public TO {app}")
        inside.run(f"GRANT {_SEQUENCE_PRIVILEGES} ON ALL SEQUENCES IN SCHEMA public TO {app}")
        inside.run(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {_TABLE_PRIVILEGES} ON TABLES TO {app}")
        inside.run(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {_SEQUENCE_PRIVILEGES} ON SEQUENCES TO {app}")
        inside.run("RESET ROLE")


def _ensure_login(
    server: Server, admin: pg8000.native.Connection, login: Login, database: str, connection_limit: int
) -> None:
    role = identifier(login.username)
    if not admin.run("SELECT 1 FROM pg_roles WHERE rolname = :name", name=login.username):
        admin.run(f"CREATE ROLE {role} LOGIN PASSWORD {literal(login.password)}")
    elif not _password_accepted(server, login, database):
        # the secret was replaced or the role changed by hand; a rotated secret matches already and is left alone
        admin.run(f"ALTER ROLE {role} LOGIN PASSWORD {literal(login.password)}")
    admin.run(f"ALTER ROLE {role} NOCREATEDB NOCREATEROLE CONNECTION LIMIT {int(connection_limit)}")


def _password_accepted(server: Server, login: Login, database: str) -> bool:
    # Before the database exists the role can only be tried against the administrator's database.
    try:
        with _connect(server, login, database):
            return True
    except pg8000.native.DatabaseError as refusal:
        code = refusal.args[0].get("C") if refusal.args and isinstance(refusal.args[0], dict) else None
        # refused for another reason (no such database yet, no CONNECT): the password itself was fine
        return code != _AUTHENTICATION_FAILED


@contextmanager
def _connect(server: Server, login: Login, database: str) -> Iterator[pg8000.native.Connection]:
    connection = pg8000.native.Connection(
        login.username,
        password=login.password,
        host=server.host,
        port=server.port,
        database=database,
        ssl_context=server.tls,
        timeout=server.timeout_seconds,
    )
    try:
        yield connection
    finally:
        connection.close()


def _secret(arn: str) -> dict[str, Any]:
    from fip_core.aws import aws_client  # noqa: PLC0415 - boto3 and the settings on the invocation, not the cold start

    value: dict[str, Any] = json.loads(aws_client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])
    return value


def provision_from_environment(_event: dict[str, Any]) -> dict[str, Any]:
    """The provisioning function's body: every domain of the plan in `FIP_DATABASE_PROVISIONING`
    (master, owner and app secrets by ARN, the app role's connection limit), in order."""
    done = []
    for entry in json.loads(os.environ[PLAN_VARIABLE]):
        master = _secret(entry["master_secret_arn"])
        owner, app = _secret(entry["owner_secret_arn"]), _secret(entry["app_secret_arn"])
        server = Server(
            host=master["host"],
            port=int(master["port"]),
            admin=Login(master["username"], master["password"]),
            tls=verified_tls_context(),
        )
        plan = DomainDatabasePlan(
            database=owner["dbname"],
            owner=Login(owner["username"], owner["password"]),
            app=Login(app["username"], app["password"]),
            app_connection_limit=int(entry["app_connection_limit"]),
        )
        provision(server, plan)
        obs.logger.info("database provisioned", extra={"database": plan.database})
        done.append(plan.database)
    return {"provisioned": done}


handler = task_handler(obs, provision_from_environment)

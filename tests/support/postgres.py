"""A throwaway PostgreSQL server for the tests: initdb and pg_ctl on a temporary folder and a free
port, password authentication, loopback only, TLS with a certificate the tests' own CA signed (as
Aurora's is signed by the RDS CA). As root it runs as the `postgres` user, since PostgreSQL refuses
to run as root."""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pg8000.native

from fip_core.provisioning import DomainDatabasePlan, Login, Server, app_role, owner_role, provision
from local_platform.aws import free_port
from tests.support.certificates import TestCertificates, make_certificates

INSTALL_HINT = "install PostgreSQL server binaries (Debian: apt-get install postgresql) so initdb and pg_ctl exist"


def find_bin_dir() -> Path | None:
    """The folder with initdb and pg_ctl: on PATH, or Debian's versioned folder (newest first)."""
    initdb = shutil.which("initdb")
    if initdb:
        return Path(os.path.realpath(initdb)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]), reverse=True)
    return Path(candidates[0]).parent if candidates else None


@dataclass(frozen=True)
class DomainUrls:
    """A domain's database as its two login roles reach it: the owner (migrations) and the app role
    (every other function). On SQLite both are the same file."""

    owner: str
    app: str


class PostgresServer:
    """One server process with a data folder that is deleted when it stops."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.port = free_port()
        self.password = secrets.token_urlsafe(16)
        self.root = Path(tempfile.mkdtemp(prefix="fip-postgres-"))
        self.data_dir = self.root / "data"
        self._as_user: dict[str, Any] = {}
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.root, account.pw_uid, account.pw_gid)
            self._as_user = {"user": account.pw_uid, "group": account.pw_gid}
        self.certificates: TestCertificates = make_certificates()

    def _run(self, *args: str) -> None:
        subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            check=True,
            capture_output=True,
            cwd=self.root,
            **self._as_user,
        )

    def start(self) -> None:
        """initdb with a random superuser password, then start listening on 127.0.0.1 only."""
        password_file = self.root / "password"
        password_file.write_text(self.password)
        if self._as_user:
            os.chown(password_file, self._as_user["user"], self._as_user["group"])
        self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            "postgres",
            "--auth=scram-sha-256",
            f"--pwfile={password_file}",
            "--encoding=UTF8",
            "--locale=C",
        )
        password_file.unlink()
        # the server's key must belong to the server's user and be readable by it alone
        cert_file, key_file = self.root / "server.pem", self.root / "server.key"
        shutil.copyfile(self.certificates.cert_file, cert_file)
        shutil.copyfile(self.certificates.key_file, key_file)
        key_file.chmod(0o600)
        if self._as_user:
            for file in (cert_file, key_file):
                os.chown(file, self._as_user["user"], self._as_user["group"])
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.root} "
            f"-c ssl=on -c ssl_cert_file={cert_file} -c ssl_key_file={key_file} "
            # durability is worthless for a throwaway test database; speed is not
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run("pg_ctl", "-D", str(self.data_dir), "-o", options, "-l", str(self.root / "server.log"), "-w", "start")

    def stop(self) -> None:
        """Stop the server and delete its data."""
        try:
            if self.data_dir.exists():
                self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str, user: str = "postgres", password: str | None = None) -> str:
        """SQLAlchemy URL of one database on this server, as the superuser unless told otherwise."""
        return f"postgresql+pg8000://{user}:{password or self.password}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str, database: str = "postgres") -> list[Any]:
        """Run one administrative statement (CREATE DATABASE and the like) outside a transaction, as the
        superuser; answer its rows."""
        connection = pg8000.native.Connection(
            "postgres", password=self.password, host="127.0.0.1", port=self.port, database=database
        )
        try:
            return list(connection.run(sql) or [])
        finally:
            connection.close()

    def admin(self) -> Server:
        """This server as the platform's provisioning step sees it: the superuser standing in for Aurora's master."""
        return Server(host="127.0.0.1", port=self.port, admin=Login("postgres", self.password))

    def provision(self, database: str, app_connection_limit: int = -1) -> DomainUrls:
        """A domain's database with its owner and app roles, made the way the cloud makes them."""
        plan = DomainDatabasePlan(
            database=database,
            owner=Login(owner_role(database), secrets.token_urlsafe(16)),
            app=Login(app_role(database), secrets.token_urlsafe(16)),
            app_connection_limit=app_connection_limit,
        )
        provision(self.admin(), plan)
        return DomainUrls(
            owner=self.url(database, plan.owner.username, plan.owner.password),
            app=self.url(database, plan.app.username, plan.app.password),
        )

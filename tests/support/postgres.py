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
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pg8000.native

from fip_core.provisioning import DomainDatabasePlan, Login, Server, app_role, owner_role, provision
from local_platform.aws import free_port
from tests.support.certificates import TestCertificates, make_certificates

PREFIX = "fip-postgres-"
OWNER_FILE = "owner.pid"  # the test process that started the server
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


def _process(pid: int) -> str | None:
    """A process's identity: its id and start time (so a reused id is not taken for it), None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return f"{pid} {stat.rsplit(')', 1)[1].split()[19]}"  # the 22nd field, start time, after the name


def _read(file: Path) -> str | None:
    try:
        return file.read_text().strip() or None
    except OSError:
        return None


def _alive(identity: str) -> bool:
    return _process(int(identity.split(maxsplit=1)[0])) == identity


def reap_orphans(temp: Path | None = None) -> list[Path]:
    """Stop and delete the servers of test runs that ended without stopping them (killed, interrupted):
    each left a data folder of several GB and a running server. A server whose test process still runs
    (another run at the same time) is left alone. Answers the folders deleted."""
    reaped = []
    for root in (temp or Path(tempfile.gettempdir())).glob(f"{PREFIX}*"):
        owner = _read(root / OWNER_FILE)
        postmaster = (_read(root / "data" / "postmaster.pid") or "").split("\n", 1)[0]
        running = postmaster.isdigit() and _process(int(postmaster)) is not None
        if owner is None:
            # a run being set up, or one of a version that wrote no owner: only its leftovers go
            if running or root.stat().st_mtime > time.time() - 60:
                continue
        elif _alive(owner):
            continue
        if running:
            os.kill(int(postmaster), signal.SIGQUIT)  # PostgreSQL's immediate shutdown
        shutil.rmtree(root, ignore_errors=True)
        reaped.append(root)
    return reaped


class PostgresServer:
    """One server process with a data folder that is deleted when it stops."""

    def __init__(self, bin_dir: Path) -> None:
        reap_orphans()
        self.bin_dir = bin_dir
        self.port = free_port()
        self.password = secrets.token_urlsafe(16)
        self.root = Path(tempfile.mkdtemp(prefix=PREFIX))
        (self.root / OWNER_FILE).write_text(_process(os.getpid()) or "")
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

"""Fakes of the users logic's ports (users/logic/ports.py), for unit tests without sockets: the users
tables in an in-memory SQLite, and an identity provider that keeps accounts in a dict and raises the
errors the Cognito adapter raises (the domain's), when told to."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import StaticPool

from fip_core.events import Outbox
from fip_core.problems import DomainError
from users.dal.repository import UsersRepository
from users.dal.tables import EVENTS, metadata
from users.declaration import DECLARATION
from users.logic.ports import IdentityRecord, InvalidTokenError, SessionTokens, SignInStep

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class MemoryStore:
    """The users domain's transactions over a fresh in-memory SQLite database."""

    def __init__(self) -> None:
        engine = create_engine("sqlite://", poolclass=StaticPool)
        metadata.create_all(engine)
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[UsersRepository]:
        """A repository over one transaction, committed when the block ends without error."""
        with self._sessions.begin() as session:
            yield UsersRepository(session, Outbox(EVENTS.outbox, "users", DECLARATION.publishes))


@dataclass
class FakePool:
    """Accounts by email; `fail[operation]` is raised (once) by the next call of that operation."""

    accounts: dict[str, IdentityRecord] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    fail: dict[str, DomainError] = field(default_factory=dict)
    groups: dict[str, set[str]] = field(default_factory=dict)

    def add(self, email: str, *, confirmed: bool = True, totp: bool = False) -> IdentityRecord:
        """An account as Cognito would have it."""
        record = IdentityRecord(str(uuid.uuid4()), email, None, confirmed, True, totp)
        self.accounts[email] = record
        return record

    def _call(self, operation: str) -> None:
        self.calls.append(operation)
        if operation in self.fail:
            raise self.fail.pop(operation)

    # Registration
    def sign_up(self, email: str, password: str, name: str | None) -> str | None:
        self._call("sign_up")
        if email in self.accounts:
            return None
        record = self.add(email, confirmed=False)
        self.accounts[email] = replace(record, name=name)
        return record.user_id

    def confirm_sign_up(self, email: str, code: str) -> None:
        self._call("confirm_sign_up")
        self.accounts[email] = replace(self.accounts[email], confirmed=True)

    def resend_code(self, email: str) -> None:
        self._call("resend_code")

    # Directory
    def account(self, email: str) -> IdentityRecord | None:
        self._call("account")
        return self.accounts.get(email)

    def create_confirmed_user(self, email: str, password: str | None) -> str:
        self._call("create_confirmed_user")
        return self.add(email).user_id

    def set_group(self, email: str, group: str, member: bool) -> None:
        self._call("set_group")
        members = self.groups.setdefault(group, set())
        (members.add if member else members.discard)(email)

    def disable(self, email: str) -> None:
        self._call("disable")
        self.accounts[email] = replace(self.accounts[email], enabled=False)

    def enable(self, email: str) -> None:
        self._call("enable")
        self.accounts[email] = replace(self.accounts[email], enabled=True)

    def sign_out(self, email: str) -> None:
        self._call("sign_out")

    # SignIn
    def sign_in(self, email: str, password: str) -> SessionTokens | SignInStep:
        self._call("sign_in")
        return SessionTokens("access", "id", "refresh", 3600)

    def answer_totp(self, email: str, session: str, code: str) -> SessionTokens | SignInStep:
        self._call("answer_totp")
        return SessionTokens("access", "id", "refresh", 3600)

    def set_new_password(self, email: str, session: str, new_password: str) -> SessionTokens | SignInStep:
        self._call("set_new_password")
        return SessionTokens("access", "id", "refresh", 3600)

    def refresh(self, refresh_token: str) -> SessionTokens:
        self._call("refresh")
        return SessionTokens("access", "id", None, 3600)

    # Passwords
    def forgot_password(self, email: str) -> None:
        self._call("forgot_password")

    def reset_password(self, email: str, code: str, new_password: str) -> None:
        self._call("reset_password")

    def change_password(self, access_token: str, current: str, new: str) -> None:
        self._call("change_password")


@dataclass
class FakeVerifier:
    """Accepts the tokens it was given claims for, as the pool's signing keys would."""

    claims: dict[str, dict[str, Any]] = field(default_factory=dict)

    def verify(self, token: str) -> dict[str, Any]:
        if token not in self.claims:
            raise InvalidTokenError("not a token of the pool")
        return self.claims[token]

"""A users store whose database fails at the worst moment: after Cognito has done its part."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import ORMExecuteState, Session

from users.dal.repository import UsersRepository
from users.logic.ports import Transactions


class FailingWrites:
    """The users domain's transactions, of which the next `failures` that write anything fail at commit
    (rolled back, as when the database goes away), and those that only read succeed."""

    def __init__(self, store: Transactions, failures: int = 1) -> None:
        self.store = store
        self.failures = failures
        self.failed = 0

    @contextmanager
    def transaction(self) -> Iterator[UsersRepository]:
        """A transaction that fails at its end if it wrote and failures are left."""
        with self.store.transaction() as repo:
            wrote = _watch_writes(repo.session)
            yield repo
            if wrote and self.failed < self.failures:
                self.failed += 1
                raise OperationalError("COMMIT", None, ConnectionError("the database went away"))


def _watch_writes(session: Session) -> list[bool]:
    wrote: list[bool] = []

    def flushed(*_: Any) -> None:
        wrote.append(True)

    def executed(state: ORMExecuteState) -> None:
        if state.is_update or state.is_delete or state.is_insert:
            wrote.append(True)

    event.listen(session, "after_flush", flushed)
    event.listen(session, "do_orm_execute", executed)
    return wrote

"""The users domain's transactions and its event relay."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fip_core.database import transaction
from fip_core.events import publish_domain_events
from users.dal.repository import UsersRepository
from users.dal.tables import OUTBOX
from users.settings import DOMAIN, users_database


@contextmanager
def users_repository() -> Iterator[UsersRepository]:
    """A repository over one transaction, committed when the block ends without error."""
    with transaction(DOMAIN, users_database()) as session:
        yield UsersRepository(session)


def publish_pending_events() -> int:
    """Relay the outbox to the bus; on failure the events wait for the next relay."""
    return publish_domain_events(DOMAIN, users_database(), OUTBOX)

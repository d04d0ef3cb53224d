"""What the jobs logic is given: its transactions, the clock, and the other domains' internal functions
it asks before a submission (the registry's `submission`, the files domain's `inputs`, the users
domain's `credentials`), through small protocols; each answers the target's JSON as it is."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from jobs.dal.repository import JobsRepository

Transaction = Callable[[], AbstractContextManager[JobsRepository]]
Clock = Callable[[], datetime]


class OtherDomains(Protocol):
    """The internal functions of other domains the jobs domain calls (declared on both sides)."""

    def service(self, service_id: str) -> dict[str, Any]:
        """The registry's submission details of a service, or `{"error": ...}`."""
        ...

    def inputs(self, user_id: str, file_ids: list[str], *, links: bool) -> dict[str, Any]:
        """The files domain's answer about a user's files, with links to the valid ones if `links`."""
        ...

    def credential(self, user_id: str, service_id: str) -> dict[str, Any]:
        """The users domain's `{"token"}` of a user for a service, or `{"error": ...}`."""
        ...


@dataclass(frozen=True)
class JobsAdapters:
    """Everything the logic reaches outside itself."""

    transaction: Transaction
    reading: Transaction
    clock: Clock
    domains: OtherDomains

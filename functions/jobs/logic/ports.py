"""What the jobs logic is given: its transactions, the clock, the other domains' internal functions it
asks (the registry's `submission`, the files domain's `inputs`, the users domain's `credentials`),
through small protocols, each answering the target's JSON as it is, and the adapter of each service."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from jobs.adapters.base import ImputationServiceAdapter
from jobs.dal.repository import JobsRepository

Transaction = Callable[[], AbstractContextManager[JobsRepository]]
Clock = Callable[[], datetime]
Connect = Callable[[dict[str, Any]], ImputationServiceAdapter]
"""The adapter of a service, from the registry's submission details of it."""


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
    connect: Connect
    batch: Transaction  # a transaction whose events wait for `relay`: a poll writes many, then relays once
    relay: Callable[[], int]

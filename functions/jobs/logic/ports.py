"""What the jobs logic is given: its transactions, the clock, the other domains' internal functions it
asks (the registry's `submission` and `discover`, the files domain's `inputs`, the users domain's `credentials`),
through small protocols, each answering the target's JSON as it is, and the adapter of each service."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pydantic import SecretStr

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

    def inputs(
        self, user_id: str, file_ids: list[str], *, links: bool, recipient: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """The files domain's answer about a user's files, with links to the valid ones if `links`; the
        files record the `recipient` (`service_id`, `service_name`, `job_id`) the links are for."""
        ...

    def discover(self, panel: str, build: str) -> dict[str, Any]:
        """The registry's ranking of the services offering the panel on the build (`GET /services/discover`)."""
        ...

    def credential(self, user_id: str, service_id: str) -> dict[str, Any]:
        """The users domain's `{"token"}` of a user for a service, or `{"error": ...}`."""
        ...

    def results(self, call: dict[str, Any]) -> dict[str, Any]:
        """The files domain's `results` function: register a job's result file, or complete its upload."""
        ...


class Passwords(Protocol):
    """Encrypts each job's result archive password for storing, and decrypts it for its owner."""

    def encrypt(self, password: SecretStr, job_id: str, user_id: str) -> bytes:
        """The password's ciphertext, bound to the job and its owner."""
        ...

    def decrypt(self, ciphertext: bytes, job_id: str, user_id: str) -> SecretStr:
        """The password back, for that job and owner only."""
        ...


class PartUploads(Protocol):
    """Where a result file's parts go: the presigned part URLs the files domain hands out."""

    async def put_part(self, url: str, length: int, chunks: AsyncIterator[bytes]) -> str:
        """PUT one part of exactly `length` bytes, streamed; its ETag."""
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
    uploads: PartUploads
    passwords: Passwords

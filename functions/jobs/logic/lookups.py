"""What the jobs logic asks other domains about a job's service: the registry's submission details of the
service and the owner's token for it. One `Lookups` asks each question once, however many jobs share
the service or the owner (a poll takes on hundreds of jobs of a few services and owners), and callers
asking at the same time wait for the same answer. A question the other domain did not answer (an error
other than `Refused`) is forgotten once its waiters have it, so a later caller asks again."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from pydantic import SecretStr

from jobs.domain import JobRecord
from jobs.logic.ports import OtherDomains

GONE = "the service is no longer in the registry"


class Refused(Exception):  # noqa: N818 - the outcome, in the domain's words
    """The job cannot go to its service as it is (the service left the registry, the owner stored no token,
    an input expired): the reason."""


def owner_token(domains: OtherDomains, job: JobRecord, service: dict[str, Any]) -> SecretStr | None:
    """The owner's token for the job's service, where the service needs one (never logged: a SecretStr
    from the moment it is read)."""
    if not service["requires_user_token"]:
        return None
    answer = domains.credential(job.user_id, job.service_id)
    if "token" not in answer:
        raise Refused("the service needs the owner's token and none is stored: store it with PUT /me/credentials/{id}")
    return SecretStr(answer.pop("token"))


class Lookups:
    """The other domains' answers about services and owners' tokens, each asked once."""

    def __init__(self, domains: OtherDomains) -> None:
        self._domains = domains
        self._services: dict[str, asyncio.Task[dict[str, Any]]] = {}
        self._tokens: dict[tuple[str, str], asyncio.Task[SecretStr | None]] = {}

    async def service(self, service_id: str) -> dict[str, Any]:
        """The registry's submission details of a service, or its `{"error": ...}`."""
        return await _once(self._services, service_id, lambda: self._domains.service(service_id))

    async def token(self, job: JobRecord, service: dict[str, Any]) -> SecretStr | None:
        """The job's owner's token for its service (`owner_token`)."""
        key = (job.user_id, job.service_id)
        return await _once(self._tokens, key, lambda: owner_token(self._domains, job, service))

    async def followed(self, job: JobRecord) -> tuple[dict[str, Any], SecretStr | None]:
        """The job's service and its owner's token; Refused if the service left the registry."""
        service = await self.service(job.service_id)
        if "error" in service:
            raise Refused(GONE)
        return service, await self.token(job, service)


def _once[K, T](asked: dict[K, asyncio.Task[T]], key: K, question: Callable[[], T]) -> asyncio.Task[T]:
    """The task answering `question` for `key`, started on a thread the first time it is asked."""
    if key not in asked:
        task = asyncio.create_task(asyncio.to_thread(question))
        task.add_done_callback(lambda done: _forget_unanswered(asked, key, done))
        asked[key] = task
    return asked[key]


def _forget_unanswered[K, T](asked: dict[K, asyncio.Task[T]], key: K, done: asyncio.Task[T]) -> None:
    if done.cancelled() or not isinstance(done.exception(), Refused | None):
        del asked[key]  # not an answer: the next caller asks again, as each one did before a poll shared them

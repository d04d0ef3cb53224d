"""A poll's questions to the registry and the users domain: each service, and each owner's token for
it, asked once however many jobs share them, also when the jobs ask at the same time; a service gone
from the registry is a refusal."""

import asyncio
import threading
from collections import Counter
from typing import cast

import pytest

from jobs.logic.lookups import GONE, Lookups, Refused
from jobs.logic.ports import OtherDomains
from tests.support.jobs import new_job


class CountingDomains:
    """The registry and the users domain, counting what they are asked (on the lookups' threads)."""

    def __init__(self):
        self.asked: Counter[tuple[str, ...]] = Counter()
        self.lock = threading.Lock()

    def service(self, service_id):
        with self.lock:
            self.asked["service", service_id] += 1
        if service_id == "gone":
            return {"error": "not_found"}
        return {"id": service_id, "api_type": "michigan", "requires_user_token": True}

    def credential(self, user_id, service_id):
        with self.lock:
            self.asked["credential", user_id, service_id] += 1
        return {"token": f"token of {user_id}"}


def test_each_service_and_owner_is_asked_once_for_many_jobs_asking_at_once():
    domains = CountingDomains()
    owners, services = ("ada", "bob"), ("s1", "s2")
    jobs = [new_job(user, service_id=service) for user in owners for service in services for _ in range(3)]
    lookups = Lookups(cast(OtherDomains, domains))

    async def every_job():
        return await asyncio.gather(*(lookups.followed(job) for job in jobs))

    followed = asyncio.run(every_job())
    assert [token.get_secret_value() for _, token in followed] == [f"token of {job.user_id}" for job in jobs]
    once: dict[tuple[str, ...], int] = {("service", service): 1 for service in services}
    once |= {("credential", user, service): 1 for user in owners for service in services}
    assert domains.asked == Counter(once)


def test_a_service_gone_from_the_registry_is_refused():
    domains = CountingDomains()
    with pytest.raises(Refused, match=GONE):
        asyncio.run(Lookups(cast(OtherDomains, domains)).followed(new_job("ada", service_id="gone")))
    assert domains.asked == Counter({("service", "gone"): 1})


class SilentOnce(CountingDomains):
    """A registry that does not answer the first question about each service, and a users domain that
    stores no token for bob."""

    def service(self, service_id):
        answer = super().service(service_id)
        if self.asked["service", service_id] == 1:
            raise ConnectionError("the registry did not answer")
        return answer

    def credential(self, user_id, service_id):
        answer = super().credential(user_id, service_id)
        return {"error": "not_found"} if user_id == "bob" else answer


def test_a_question_not_answered_is_asked_again_and_an_answer_is_kept_even_a_refusal():
    domains = SilentOnce()
    lookups = Lookups(cast(OtherDomains, domains))
    job, tokenless = new_job("ada", service_id="s1"), new_job("bob", service_id="s1")

    async def twice():
        with pytest.raises(ConnectionError):
            await lookups.followed(job)
        _, token = await lookups.followed(job)
        for _ in range(2):
            with pytest.raises(Refused, match="PUT /me/credentials"):
                await lookups.followed(tokenless)
        return token

    assert asyncio.run(twice()).get_secret_value() == "token of ada"
    assert domains.asked == Counter(
        {("service", "s1"): 2, ("credential", "ada", "s1"): 1, ("credential", "bob", "s1"): 1}
    )

"""The jobs tests' world: the Cloudgene contract fake on loopback, registered as a service with alice's
and bob's tokens stored, the jobs handlers asking the other domains in process on the test's clock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.cloudgene import CloudgeneFake
from tests.support.job_world import ALICES_TOKEN, BOBS_TOKEN, JobWorld, add_service, job_world
from tests.support.jobs import Clock, with_world


def cloudgene_server(name: str, doc: str) -> Any:
    """A fixture `name`: a Cloudgene server knowing alice's and bob's tokens."""

    def server() -> Iterator[CloudgeneFake]:
        with CloudgeneFake({ALICES_TOKEN: "alice", BOBS_TOKEN: "bob"}) as running:
            yield running

    server.__doc__ = doc
    return pytest.fixture(name=name)(server)


fake = cloudgene_server("fake", "The Cloudgene server the world registers.")
second = cloudgene_server("second", "Another Cloudgene server (`second_service` registers it).")


@pytest.fixture
def clock(platform, monkeypatch) -> Clock:
    """The jobs domain's clock, which the test moves on."""
    clock = Clock()
    with_world(monkeypatch, clock)
    return clock


@pytest.fixture
def world(platform, fake, clock, outbound_to_loopback) -> JobWorld:
    """The platform with the fake registered and alice's file validated."""
    return job_world(platform, fake.base_url)


@pytest.fixture
def second_service(world, second) -> str:
    """The second server registered and healthy, with the same panel and alice's and bob's tokens."""
    return add_service(second.base_url, "cloudgene-two", {ALICES_TOKEN: world.alice, BOBS_TOKEN: world.bob})

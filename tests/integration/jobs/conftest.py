"""The jobs tests' world: the Cloudgene contract fake on loopback, registered as a service with alice's
and bob's tokens stored, the jobs handlers asking the other domains in process on the test's clock."""

from __future__ import annotations

import pytest

from tests.support.cloudgene import CloudgeneFake
from tests.support.job_world import ALICES_TOKEN, BOBS_TOKEN, JobWorld, job_world
from tests.support.jobs import Clock, with_world


@pytest.fixture
def fake():
    """The Cloudgene server, knowing alice's and bob's tokens."""
    with CloudgeneFake({ALICES_TOKEN: "alice", BOBS_TOKEN: "bob"}) as server:
        yield server


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

"""The local platform as a subprocess, started once for the end-to-end tests that share it, and the
AWS emulators the end-to-end tests run against: moto in server mode, and LocalStack."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from local_platform.aws import MotoEndpoint
from local_platform.localstack import LocalStack
from tests.support.platform_process import LOCAL_AWS_KINDS, RunningPlatform, require_localstack, running_platform


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    """The platform in a subprocess on free ports, with a fresh state folder and a 1 s schedule."""
    with running_platform(tmp_path_factory.mktemp("state")) as running:
        yield running


@pytest.fixture(scope="session")
def admin(platform: RunningPlatform) -> dict[str, str]:
    """Headers of the admin the platform created at start, signed in over HTTP as README's "Trying it"
    says: the admin role waits for two-factor sign-in, so they turn it on and sign in again with a code."""
    return platform.headers()


@pytest.fixture(scope="session")
def localstack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """One LocalStack for the session, on a free loopback port, stopped at the end."""
    server = LocalStack(require_localstack(), tmp_path_factory.mktemp("localstack"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module", params=LOCAL_AWS_KINDS)
def emulator(request: pytest.FixtureRequest) -> Iterator[str]:
    """The endpoint of an emulator already running: a moto server of its own, then LocalStack."""
    if request.param == "localstack":
        yield request.getfixturevalue("localstack").endpoint
        return
    server = MotoEndpoint(empty=True)  # not what an earlier test's platform left in this process's moto
    server.start()
    yield server.endpoint
    server.stop()

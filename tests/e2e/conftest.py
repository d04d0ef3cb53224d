"""The AWS emulators the end-to-end tests run against: moto in server mode, and LocalStack."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from local_platform.aws import MotoEndpoint
from local_platform.localstack import LocalStack
from tests.support.platform_process import LOCAL_AWS_KINDS, require_localstack


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
    server = MotoEndpoint()
    server.start()
    yield server.endpoint
    server.stop()

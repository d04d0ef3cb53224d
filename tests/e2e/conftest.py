"""The local platform as a subprocess, started once for the end-to-end tests that share it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.platform_process import RunningPlatform, running_platform


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

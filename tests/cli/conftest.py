"""The local platform for the command-line client's tests, and `fip` run as a user runs it: the
console script `make` installs, in a process of its own, with its own config file and no token but
what the test gives it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from infra.domains import DOMAINS
from local_platform.platform import LocalPlatform
from tests.support.accounts import PASSWORD, Account, sign_up
from tests.support.platform_process import platform_in_process

S3_MIN_PART_BYTES = 5 * 1024**2  # S3's smallest part but the last: files of a few MiB upload in parts
FIP = Path(sys.executable).with_name("fip")

type Fip = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPlatform]:
    """The shipped domains on moto, with parts of S3's smallest size so that a small file has several."""
    from files.settings import files_settings

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FILES_MIN_PART_BYTES", str(S3_MIN_PART_BYTES))
        files_settings.cache_clear()
        state = tmp_path_factory.mktemp("state")
        with platform_in_process(DOMAINS, "moto", state, schedules_enabled=False, event_retry_seconds=0) as running:
            yield running
    files_settings.cache_clear()


@pytest.fixture(scope="module")
def researcher(platform: LocalPlatform) -> Account:
    """A confirmed account whose password the tests type into `fip login`."""
    return sign_up(name="Ada")


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """Where this test's `fip` keeps its config (not yet made)."""
    return tmp_path / "config" / "fip.json"


@pytest.fixture
def fip(platform: LocalPlatform, config: Path, tmp_path: Path) -> Fip:
    """Run the installed `fip` against the platform: `fip("files", "--json", token=...)`."""
    assert FIP.exists(), f"{FIP} is missing: `make venv` installs the command-line client"

    def run(*args: str, token: str | None = None, api_url: str | None = None, **variables: str):
        environment = {key: value for key, value in os.environ.items() if not key.startswith(("FIP_", "AWS_"))}
        environment |= {"FIP_API_URL": api_url if api_url is not None else platform.url, "FIP_CONFIG": str(config)}
        environment |= {"HOME": str(tmp_path), "COLUMNS": "200"} | variables
        if token is not None:
            environment["FIP_TOKEN"] = token
        return subprocess.run(
            [str(FIP), *args], capture_output=True, text=True, env=environment, timeout=300, cwd=tmp_path, check=False
        )

    return run


@pytest.fixture
def signed_in(fip: Fip, researcher: Account) -> Account:
    """The researcher signed in through `fip login` (the session kept in the test's config file)."""
    answer = fip("login", "--email", researcher.email, FIP_PASSWORD=PASSWORD)
    assert answer.returncode == 0, answer.stderr
    return researcher

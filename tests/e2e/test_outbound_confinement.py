"""`make run` with `FIP_ALLOW_PRIVATE_NETWORKS=false`, as the cloud runs: test-connection, a check
asked for by hand and the scheduled sweep refuse every spelling of a loopback address, and a
listener on loopback at the port they name sees no connection at all."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.support.listener import LoopbackListener
from tests.support.platform_process import RunningPlatform, eventually, running_platform

pytestmark = pytest.mark.e2e

ADMIN_EMAIL = "confined-admin@example.org"
ADMIN_PASSWORD = "Confined-admin-password-1"
SWEEP_DEADLINE_SECONDS = 60
# as an admin may type them; the API may normalise some (pydantic reads 2130706433 as 127.0.0.1)
SPELLINGS = (
    "127.0.0.1", "localhost", "LOCALHOST", "localhost.", "0.0.0.0", "127.1", "127.0.0.1.", "2130706433",
    "0x7f000001", "0x7f.1", "0177.0.0.1", "017700000001", "[::1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]",
    "[::127.0.0.1]", "[64:ff9b::7f00:1]", "[::]",
)  # fmt: skip


@pytest.fixture(scope="module")
def listener() -> Iterator[LoopbackListener]:
    with LoopbackListener() as listening:
        # the witness works: a connection made on purpose is counted
        socket.create_connection(("127.0.0.1", listening.port), timeout=10).close()
        eventually(lambda: listening.connections() == 1 or None, 10, "the listener counting a connection")
        yield listening


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    environment = {
        "FIP_ADMIN_EMAIL": ADMIN_EMAIL,
        "FIP_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "FIP_ALLOW_PRIVATE_NETWORKS": "false",
    }
    with running_platform(tmp_path_factory.mktemp("state"), environment) as running:
        yield running


@pytest.fixture(scope="module")
def admin(platform: RunningPlatform) -> dict[str, str]:
    return platform.headers(ADMIN_EMAIL, ADMIN_PASSWORD)


def urls(port: int) -> list[str]:
    return [f"{scheme}://{host}:{port}" for host in SPELLINGS for scheme in ("http", "https")]


def register(platform: RunningPlatform, admin: dict[str, str], slug: str, base_url: str, api_type: str) -> str:
    body = {"name": slug, "slug": slug, "api_type": api_type, "base_url": base_url}
    answer = httpx.post(f"{platform.url}/services", json=body, headers=admin, timeout=30)
    assert answer.status_code == 201, (base_url, answer.text)
    return str(answer.json()["id"])


def test_test_connection_refuses_every_loopback_spelling(
    platform: RunningPlatform, admin: dict[str, str], listener: LoopbackListener
) -> None:
    for url in urls(listener.port):
        for api_type in ("michigan", "ga4gh_wes"):
            answer = httpx.post(
                f"{platform.url}/services/test-connection",
                json={"base_url": url, "api_type": api_type},
                headers=admin,
                timeout=30,
            )
            assert answer.status_code == 200, (url, answer.text)
            outcome = answer.json()
            assert (outcome["status"], outcome["error"]) == ("unhealthy", "blocked address"), (url, outcome)
            assert outcome["http_status"] is None
            assert outcome["details"] is None
    assert listener.connections() == 1


def test_checks_by_hand_and_by_schedule_refuse_every_loopback_spelling(
    platform: RunningPlatform, admin: dict[str, str], listener: LoopbackListener
) -> None:
    by_hand, by_schedule = [], []
    for number, url in enumerate(urls(listener.port)):
        api_type = ("michigan", "ga4gh_wes")[number % 2]
        by_hand.append(register(platform, admin, f"by-hand-{number}", url, api_type))
        by_schedule.append(register(platform, admin, f"by-schedule-{number}", url, api_type))
    for service_id in by_hand:
        report = httpx.post(f"{platform.url}/services/{service_id}/health-check", headers=admin, timeout=30)
        assert report.status_code == 200, report.text
        health = report.json()["health"]
        assert (health["status"], health["last_error"]) == ("unhealthy", "blocked address")

    def swept(service_id: str) -> Callable[[], dict[str, Any] | None]:
        def checked() -> dict[str, Any] | None:
            health = httpx.get(f"{platform.url}/services/{service_id}", headers=admin, timeout=30).json()["health"]
            return health if health["last_checked_at"] is not None else None

        return checked

    for service_id in by_schedule:
        health = eventually(swept(service_id), SWEEP_DEADLINE_SECONDS, "the scheduled sweep")
        assert (health["status"], health["last_error"]) == ("unhealthy", "blocked address")
        history = httpx.get(f"{platform.url}/services/{service_id}/health/history", headers=admin).json()["items"]
        assert [check["error"] for check in history] == ["blocked address"]
    assert listener.connections() == 1

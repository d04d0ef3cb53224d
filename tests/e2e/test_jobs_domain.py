"""The jobs domain end to end on the local platform over HTTP (`make run` in a subprocess, schedules
every second): a Cloudgene server (the contract fake, on loopback) registered through the registry's
API as an admin would, a researcher who signed up, stored her token for it and uploaded a valid file
submits through `POST /jobs`; the job is handed to the server by the `submit` function its event
invokes, polled until it completes, and its result file downloads through the files domain. Cancelling
another job cancels it on the server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.cloudgene import CloudgeneFake
from tests.support.e2e_jobs import job, register_service, sign_up, submit, submitted, upload_sample
from tests.support.job_world import SAMPLE
from tests.support.platform_process import RunningPlatform, eventually

pytestmark = pytest.mark.e2e

TOKEN = "e2e-researcher-cloudgene-token"
ARCHIVE = b"PK imputed chr20 " * 50_000
# a job is polled a minute after it was submitted (the services ask no more often): then it completes
DEADLINE_SECONDS = 240


@pytest.fixture(scope="module")
def fake() -> Iterator[CloudgeneFake]:
    with CloudgeneFake({TOKEN: "researcher"}) as server:
        yield server


@pytest.fixture(scope="module")
def service(platform: RunningPlatform, admin: dict[str, str], fake: CloudgeneFake) -> str:
    """The fake registered as an admin would, with a panel, and found healthy by the scheduled sweep."""
    body = {"name": "E2E Cloudgene", "slug": "e2e-cloudgene", "api_type": "michigan", "base_url": fake.base_url,
            "requires_user_token": True, "supported_builds": ["hg19"]}  # fmt: skip
    return register_service(platform, admin, body)


@pytest.fixture(scope="module")
def researcher(platform: RunningPlatform, service: str) -> dict[str, str]:
    """A researcher signed up over HTTP, with her token for the service stored."""
    session = sign_up(platform, "imputer@example.org")
    stored = httpx.put(f"{platform.url}/me/credentials/{service}", json={"token": TOKEN}, headers=session)
    assert stored.status_code in (200, 201), stored.text
    return session


@pytest.fixture(scope="module")
def valid_file(platform: RunningPlatform, researcher: dict[str, str]) -> str:
    """The sample VCF uploaded through the presigned part URLs and validated."""
    return upload_sample(platform, researcher)


def test_a_job_completes_and_its_output_downloads_through_the_files_domain(
    platform: RunningPlatform, researcher: dict[str, str], service: str, valid_file: str, fake: CloudgeneFake
) -> None:
    job_id = submit(platform, researcher, service, valid_file, "e2e-complete")
    external_id = submitted(platform, researcher, job_id)
    assert fake.jobs[external_id].files == {"chr20.vcf.gz": SAMPLE.read_bytes()}
    fake.complete(external_id, {"chr_20.zip": ARCHIVE})

    def stored() -> Any:
        outputs = job(platform, researcher, job_id, "/outputs")
        return outputs if outputs["state"] == "stored" else None

    outputs = eventually(stored, DEADLINE_SECONDS, "the job completed and its output copied in", interval=2.0)
    assert job(platform, researcher, job_id)["status"] == "completed"
    [item] = outputs["items"]
    link = httpx.get(f"{platform.url}/files/{item['file_id']}/download", headers=researcher).json()["url"]
    assert httpx.get(link, timeout=60).content == ARCHIVE
    password = job(platform, researcher, job_id, "/password")["password"]
    assert password == fake.jobs[external_id].params["password"]


def test_cancelling_a_job_cancels_it_on_the_server(
    platform: RunningPlatform, researcher: dict[str, str], service: str, valid_file: str, fake: CloudgeneFake
) -> None:
    job_id = submit(platform, researcher, service, valid_file, "e2e-cancel")
    external_id = submitted(platform, researcher, job_id)
    cancelled = httpx.post(f"{platform.url}/jobs/{job_id}/cancel", headers=researcher, timeout=30)
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    assert fake.jobs[external_id].state == 6  # CANCELED on the server

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
from tests.support.job_world import HRC, SAMPLE
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
    created = httpx.post(f"{platform.url}/services", json=body, headers=admin)
    assert created.status_code == 201, created.text
    service_id = str(created.json()["id"])
    panel = httpx.post(f"{platform.url}/services/{service_id}/panels", json=HRC, headers=admin)
    assert panel.status_code == 201, panel.text

    def healthy() -> bool | None:
        report = httpx.get(f"{platform.url}/services/{service_id}/health", headers=admin).json()
        return True if report["health"]["status"] == "healthy" else None

    eventually(healthy, 60, "the sweep finding the Cloudgene server healthy", interval=1.0)
    return service_id


@pytest.fixture(scope="module")
def researcher(platform: RunningPlatform, service: str) -> dict[str, str]:
    """A researcher signed up over HTTP, with her token for the service stored."""
    account = {"email": "imputer@example.org", "password": "Imputer-pass-12"}
    assert httpx.post(f"{platform.url}/auth/sign-up", json=account).status_code == 202
    confirmed = httpx.post(f"{platform.url}/auth/confirm", json={"email": account["email"], "code": "123456"})
    assert confirmed.status_code == 200, confirmed.text
    session = {
        "Authorization": f"Bearer {httpx.post(f'{platform.url}/auth/sign-in', json=account).json()['access_token']}"
    }
    stored = httpx.put(f"{platform.url}/me/credentials/{service}", json={"token": TOKEN}, headers=session)
    assert stored.status_code in (200, 201), stored.text
    return session


@pytest.fixture(scope="module")
def valid_file(platform: RunningPlatform, researcher: dict[str, str]) -> str:
    """The sample VCF uploaded through the presigned part URLs and validated."""
    data = SAMPLE.read_bytes()
    created = httpx.post(
        f"{platform.url}/files", json={"filename": "chr20.vcf.gz", "size_bytes": len(data), "build": "hg19"},
        headers=researcher,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    plan, file_id = created.json()["upload"], created.json()["id"]
    [part] = plan["parts"]
    put = httpx.put(part["url"], content=data, timeout=60)
    assert put.status_code == 200, put.text
    parts = [{"part_number": 1, "etag": put.headers["etag"]}]
    completed = httpx.post(f"{platform.url}/files/{file_id}/complete", json={"parts": parts}, headers=researcher)
    assert completed.status_code == 200, completed.text

    def valid() -> bool | None:
        status = httpx.get(f"{platform.url}/files/{file_id}", headers=researcher).json()["status"]
        assert status != "invalid"
        return True if status == "valid" else None

    eventually(valid, 120, "the sample file validated", interval=1.0)
    return str(file_id)


def submit(
    platform: RunningPlatform, researcher: dict[str, str], service: str | list[str], file_id: str, key: str
) -> str:
    body = {"name": f"e2e {key}", "service": service, "panel": "apps@hrc-r1.1", "build": "hg19", "phasing": "eagle",
            "mode": "imputation", "file_ids": [file_id]}  # fmt: skip
    answer = httpx.post(f"{platform.url}/jobs", json=body, headers={**researcher, "Idempotency-Key": key})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def job(platform: RunningPlatform, researcher: dict[str, str], job_id: str, path: str = "") -> Any:
    answer = httpx.get(f"{platform.url}/jobs/{job_id}{path}", headers=researcher, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def submitted(platform: RunningPlatform, researcher: dict[str, str], job_id: str) -> str:
    """The job's id on the server, once the submit function handed it over."""

    def handed_over() -> str | None:
        shown = job(platform, researcher, job_id)
        assert shown["status"] != "failed", shown["error"]
        return str(shown["external_id"]) if shown["external_id"] else None

    return eventually(handed_over, 60, "the job submitted to the Cloudgene server", interval=0.5)


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


def test_auto_and_a_list_of_services_reach_the_server_through_the_declared_calls(
    platform: RunningPlatform, researcher: dict[str, str], service: str, valid_file: str, fake: CloudgeneFake
) -> None:
    auto = submit(platform, researcher, "auto", valid_file, "e2e-auto")
    shown = job(platform, researcher, auto)
    assert shown["service"]["id"] == service  # the registry's `discover`, invoked over the local Invoke API
    assert [r["service_id"] for r in shown["routing"]["ranking"]] == [service]
    assert submitted(platform, researcher, auto) in fake.jobs
    assert httpx.post(f"{platform.url}/jobs/{auto}/cancel", headers=researcher, timeout=30).status_code == 200
    family = submit(platform, researcher, [service], valid_file, "e2e-family")
    [child] = job(platform, researcher, family)["children"]
    external_id = submitted(platform, researcher, child["id"])
    cancelled = httpx.post(f"{platform.url}/jobs/{family}/cancel", headers=researcher, timeout=30)
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    assert fake.jobs[external_id].state == 6  # the child, CANCELED on the server

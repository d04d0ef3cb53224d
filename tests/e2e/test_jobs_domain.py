"""The jobs domain end to end on the local platform over HTTP (`make run` in a subprocess, schedules
every second): a Cloudgene server (the contract fake, on loopback) registered through the registry's
API as an admin would, a researcher who signed up, stored her token for it and uploaded a valid file
submits through `POST /jobs`; the job is handed to the server by the `submit` function its event
invokes, polled until it completes, and its result file downloads through the files domain. Cancelling
another job cancels it on the server. `fip` does the same from a pipeline: submit, wait, download."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.cloudgene import CloudgeneFake
from tests.support.e2e_jobs import job, register_service, sign_up, submit, submitted, upload_sample
from tests.support.job_world import SAMPLE
from tests.support.platform_process import RunningPlatform, eventually

pytestmark = pytest.mark.e2e

TOKEN = "e2e-researcher-cloudgene-token"
EMAIL = "imputer@example.org"
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
    session = sign_up(platform, EMAIL)
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
    told_once_by_email_and_in_the_app(platform, researcher, "Job \u201ce2e e2e-complete\u201d completed")


def told_once_by_email_and_in_the_app(platform: RunningPlatform, researcher: dict[str, str], subject: str) -> None:
    """The owner got exactly one email with `subject` (the local mailbox) and one in-app notification."""

    def emailed() -> list[Any] | None:
        answer = httpx.get(f"{platform.url}/_local/emails", timeout=30)
        assert answer.status_code == 200, answer.text
        return [mail for mail in answer.json() if mail["to"] == [EMAIL] and mail["subject"] == subject] or None

    assert len(eventually(emailed, 60, f"the email {subject!r}", interval=1.0)) == 1
    shown = httpx.get(f"{platform.url}/notifications", headers=researcher, params={"limit": 100}, timeout=30)
    assert shown.status_code == 200, shown.text
    assert [n["kind"] for n in shown.json()["items"] if n["title"] == subject] == ["job_completed"]


def test_cancelling_a_job_cancels_it_on_the_server(
    platform: RunningPlatform, researcher: dict[str, str], service: str, valid_file: str, fake: CloudgeneFake
) -> None:
    job_id = submit(platform, researcher, service, valid_file, "e2e-cancel")
    external_id = submitted(platform, researcher, job_id)
    cancelled = httpx.post(f"{platform.url}/jobs/{job_id}/cancel", headers=researcher, timeout=30)
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    assert fake.jobs[external_id].state == 6  # CANCELED on the server


def fip(
    platform: RunningPlatform, researcher: dict[str, str], home: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    """The installed `fip` as a pipeline runs it: the platform's URL and a token in its environment."""
    token = researcher["Authorization"].removeprefix("Bearer ")
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("FIP_", "AWS_"))}
    environment |= {"FIP_API_URL": platform.url, "FIP_TOKEN": token, "HOME": str(home), "COLUMNS": "200"}
    command = [str(Path(sys.executable).with_name("fip")), *args]
    return subprocess.run(command, capture_output=True, text=True, env=environment, cwd=home, timeout=600, check=False)


def test_fip_submits_a_local_file_waits_for_the_job_and_downloads_its_results(
    platform: RunningPlatform, researcher: dict[str, str], service: str, fake: CloudgeneFake, tmp_path: Path
) -> None:
    local = tmp_path / "chr20.vcf.gz"
    local.write_bytes(SAMPLE.read_bytes())
    arguments = ["--panel", "apps@hrc-r1.1", "--build", "hg19", "--service", service, "--json", str(local)]
    submitted_job = fip(platform, researcher, tmp_path, "submit", *arguments)
    assert submitted_job.returncode == 0, submitted_job.stderr
    job_id = json.loads(submitted_job.stdout)["id"]
    fake.complete(submitted(platform, researcher, job_id), {"chr_20.zip": ARCHIVE})

    waited = fip(platform, researcher, tmp_path, "wait", job_id, "--interval", "2", "--timeout", str(DEADLINE_SECONDS))
    assert waited.returncode == 0, waited.stderr  # 0: completed
    downloaded = fip(platform, researcher, tmp_path, "download", job_id, "--output-dir", "results", "--json")
    assert downloaded.returncode == 0, downloaded.stderr
    assert json.loads(downloaded.stdout)["files"] == [str(Path("results") / "chr_20.zip")]
    assert (tmp_path / "results" / "chr_20.zip").read_bytes() == ARCHIVE


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

"""What the end-to-end job tests do over HTTP as an admin and a researcher would: register a service
with a panel and wait for the sweep to find it healthy, sign a researcher up, upload and validate the
sample VCF, submit a job and read it back."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.job_world import HRC, SAMPLE
from tests.support.platform_process import RunningPlatform, eventually

RESEARCHER_PASSWORD = "Imputer-pass-12"


def register_service(
    platform: RunningPlatform, admin: dict[str, str], body: dict[str, Any], *, within: float = 60
) -> str:
    """The service registered through the registry's API with the HRC panel, once the sweep found it
    healthy (waited for `within` seconds at the most)."""
    created = httpx.post(f"{platform.url}/services", json=body, headers=admin, timeout=60)
    assert created.status_code == 201, created.text
    service_id = str(created.json()["id"])
    panel = httpx.post(f"{platform.url}/services/{service_id}/panels", json=HRC, headers=admin, timeout=60)
    assert panel.status_code == 201, panel.text

    def healthy() -> bool | None:
        report = httpx.get(f"{platform.url}/services/{service_id}/health", headers=admin, timeout=60).json()
        return True if report["health"]["status"] == "healthy" else None

    eventually(healthy, within, f"the sweep finding {body['slug']} healthy", interval=1.0)
    return service_id


def confirmed_account(platform: RunningPlatform, email: str, password: str) -> None:
    """An account signed up and confirmed over HTTP (locally any 6-digit code confirms)."""
    signed_up = httpx.post(f"{platform.url}/auth/sign-up", json={"email": email, "password": password}, timeout=60)
    assert signed_up.status_code == 202, signed_up.text
    confirmed = httpx.post(f"{platform.url}/auth/confirm", json={"email": email, "code": "123456"}, timeout=60)
    assert confirmed.status_code == 200, confirmed.text


def signed_in(platform: RunningPlatform, email: str, password: str) -> dict[str, str]:
    """The headers of an account signed in over HTTP."""
    tokens = httpx.post(f"{platform.url}/auth/sign-in", json={"email": email, "password": password}, timeout=60)
    assert tokens.status_code == 200, tokens.text
    return {"Authorization": f"Bearer {tokens.json()['access_token']}"}


def sign_up(platform: RunningPlatform, email: str) -> dict[str, str]:
    """Headers of a researcher who signed up, confirmed and signed in over HTTP."""
    confirmed_account(platform, email, RESEARCHER_PASSWORD)
    return signed_in(platform, email, RESEARCHER_PASSWORD)


def upload_sample(platform: RunningPlatform, researcher: dict[str, str]) -> str:
    """The sample VCF uploaded through the presigned part URLs; its id once validated."""
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
    """A job on the HRC panel submitted through `POST /jobs`; its id."""
    body = {"name": f"e2e {key}", "service": service, "panel": HRC["slug"], "build": "hg19", "phasing": "eagle",
            "mode": "imputation", "file_ids": [file_id]}  # fmt: skip
    answer = httpx.post(f"{platform.url}/jobs", json=body, headers={**researcher, "Idempotency-Key": key})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def job(platform: RunningPlatform, researcher: dict[str, str], job_id: str, path: str = "") -> Any:
    """The job (or `path` below it: `/outputs`, `/password`) as its owner reads it."""
    answer = httpx.get(f"{platform.url}/jobs/{job_id}{path}", headers=researcher, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def submitted(platform: RunningPlatform, researcher: dict[str, str], job_id: str) -> str:
    """The job's id on its service, once the submit function handed it over."""

    def handed_over() -> str | None:
        shown = job(platform, researcher, job_id)
        assert shown["status"] != "failed", shown["error"]
        return str(shown["external_id"]) if shown["external_id"] else None

    return eventually(handed_over, 60, "the job submitted to its service", interval=0.5)

"""Jobs on a real GA4GH WES server, end to end on the local platform over HTTP: sapporo-service on
loopback, whose run script runs a small CWL workflow with `cwltool --no-container`, registered through
the registry's API as an admin would, with the workflow it runs and how its parameters are filled. A
researcher's job on the sample VCF is handed to sapporo as a spec-compliant `POST /runs` whose
`workflow_params` carry the input's presigned URL (the local S3, which sapporo's cwltool downloads
from loopback), goes from submit to completed, and its outputs land in S3 and download through the
files domain. Cancelling a running job cancels the run on sapporo."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.e2e_jobs import job, register_service, sign_up, submit, submitted, upload_sample
from tests.support.job_world import HRC, SAMPLE
from tests.support.platform_process import RunningPlatform, eventually
from tests.support.sapporo import SapporoServer, cwltool_environment, cwltool_run_script

pytestmark = [pytest.mark.e2e, pytest.mark.sapporo]

WORKFLOWS = Path(__file__).parents[1] / "data" / "wes"
DEADLINE_SECONDS = 300  # a job is polled a minute after it was submitted; cwltool starts slowly on a busy machine


def workflow(document: str) -> dict[str, Any]:
    """A workflow attached to every run, reading the job's only file (and its panel, where it takes one)."""
    takes_panel = "panel:" in (WORKFLOWS / document).read_text()
    template = {"vcf": "{{file}}", "panel": "{{panel}}"} if takes_panel else {"vcf": "{{file}}"}
    return {
        "workflow_url": document, "workflow_type": "CWL", "workflow_type_version": "v1.2",
        "workflow_engine": "cwltool", "params_template": template,
        "tags": {"platform": "fip-e2e"}, "attachments": {document: (WORKFLOWS / document).read_text()},
    }  # fmt: skip


@pytest.fixture(scope="module")
def sapporo(sapporo_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SapporoServer]:
    server = SapporoServer(
        sapporo_bin,
        run_sh=cwltool_run_script(sapporo_bin, tmp_path_factory.mktemp("sapporo-run-script")),
        env=cwltool_environment(sapporo_bin),
    )
    server.start()
    yield server
    server.stop()


def register(platform: RunningPlatform, admin: dict[str, str], sapporo: SapporoServer, slug: str, cwl: str) -> str:
    """sapporo registered as an admin would, with its workflow, a panel, and found healthy by the sweep."""
    body = {"name": f"E2E {slug}", "slug": slug, "api_type": "ga4gh_wes", "base_url": sapporo.base_url,
            "supported_builds": ["hg19"], "workflow": workflow(cwl)}  # fmt: skip
    return register_service(platform, admin, body)


@pytest.fixture(scope="module")
def researcher(platform: RunningPlatform) -> dict[str, str]:
    """A researcher signed up over HTTP (sapporo asks for no token)."""
    return sign_up(platform, "wes-imputer@example.org")


@pytest.fixture(scope="module")
def sample(platform: RunningPlatform, researcher: dict[str, str]) -> str:
    """The sample VCF uploaded through the presigned part URLs and validated."""
    return upload_sample(platform, researcher)


@pytest.fixture(scope="module")
def jobs(platform: RunningPlatform, researcher: dict[str, str], sample: str) -> Callable[[str, str], str]:
    """Submits a job on the sample to a service under a key; the job's id."""
    return lambda service, key: submit(platform, researcher, service, sample, key)


def test_a_wes_job_completes_and_its_outputs_land_in_s3(
    platform: RunningPlatform, admin: dict[str, str], sapporo: SapporoServer, researcher: dict[str, str], jobs: Any
) -> None:
    service = register(platform, admin, sapporo, "e2e-sapporo", "count_variants.cwl")
    job_id = jobs(service, "e2e-wes-complete")
    run_id = submitted(platform, researcher, job_id)
    request = httpx.get(f"{sapporo.base_url}/runs/{run_id}").json()["request"]
    assert (request["workflow_url"], request["workflow_type"], request["workflow_engine"]) == (
        "count_variants.cwl", "CWL", "cwltool",
    )  # fmt: skip
    vcf = request["workflow_params"]["vcf"]
    assert (vcf["class"], vcf["basename"]) == ("File", "chr20.vcf.gz")
    assert vcf["location"].startswith("http://127.0.0.1:")
    assert "Signature=" in vcf["location"]
    assert request["workflow_params"]["panel"] == HRC["slug"]

    def stored() -> Any:
        outputs = job(platform, researcher, job_id, "/outputs")
        assert job(platform, researcher, job_id)["status"] != "failed"
        return outputs if outputs["state"] == "stored" else None

    outputs = eventually(stored, DEADLINE_SECONDS, "the WES job completed and its outputs copied in", interval=2.0)
    shown = job(platform, researcher, job_id)
    assert (shown["status"], shown["progress"]) == ("completed", 100)
    contents = {}
    for item in outputs["items"]:
        link = httpx.get(f"{platform.url}/files/{item['file_id']}/download", headers=researcher).json()["url"]
        contents[item["name"]] = httpx.get(link, timeout=60).content
    # the workflow counted the sample's 100 records, and was given the job's panel
    assert contents == {"variants.txt": b"100\n", "panel.txt": f"{HRC['slug']}\n".encode()}
    assert SAMPLE.name == "chr20.tiny.100snps.vcf.gz"


def test_cancelling_a_wes_job_cancels_the_run_on_sapporo(
    platform: RunningPlatform, admin: dict[str, str], sapporo: SapporoServer, researcher: dict[str, str], jobs: Any
) -> None:
    service = register(platform, admin, sapporo, "e2e-sapporo-wait", "wait.cwl")
    job_id = jobs(service, "e2e-wes-cancel")
    run_id = submitted(platform, researcher, job_id)
    cancelled = httpx.post(f"{platform.url}/jobs/{job_id}/cancel", headers=researcher, timeout=30)
    assert cancelled.status_code == 200, cancelled.text

    def run_state() -> str | None:
        state = str(httpx.get(f"{sapporo.base_url}/runs/{run_id}/status").json()["state"])
        return state if state in ("CANCELED", "COMPLETE", "EXECUTOR_ERROR") else None

    assert eventually(run_state, 60, "sapporo cancelling the run", interval=0.5) == "CANCELED"

    def cancelled_here() -> bool | None:
        # sapporo answers the cancel CANCELING (stopping): the job stays running until the poll sees CANCELED
        return True if job(platform, researcher, job_id)["status"] == "cancelled" else None

    eventually(cancelled_here, DEADLINE_SECONDS, "the poll seeing the run cancelled", interval=2.0)

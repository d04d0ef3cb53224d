"""What `fip` does with jobs, as far as the jobs domain answers today: a job's result file, registered
in the files domain as the jobs domain registers it, is downloaded by `fip download`'s file step
through `GET /files/{id}` and its presigned link; `fip wait` asks until the job ends and its exit
status says how; the routes the jobs domain does not serve yet (`/jobs/{id}/outputs`, `/cancel`) are
refused with the platform's detail and a non-zero exit."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from fip.api import Api
from fip.config import Settings
from fip.errors import CliError
from fip.jobs import EXIT_STATUS, TIMED_OUT, copied_outputs, download_file, wait_for
from local_platform.platform import LocalPlatform
from tests.cli.conftest import Fip
from tests.support.accounts import Account
from tests.support.files import put_parts

pytestmark = pytest.mark.e2e


def _result_of_a_job(platform: LocalPlatform, owner: Account, data: bytes) -> str:
    """A result file stored for the owner, as the jobs domain stores one through the files domain's `results`."""
    file = {"filename": "chr20.imputed.zip", "size_bytes": len(data)}
    registered = platform.runtime.invoke(
        "files", "results", {"action": "register", "user_id": owner.user_id, "job_id": "job-1", "file": file}
    )
    assert registered["status"] == "uploading", registered
    completion = {"parts": put_parts(registered["upload"], data)}
    stored = platform.runtime.invoke(
        "files",
        "results",
        {"action": "complete", "user_id": owner.user_id, "file_id": registered["id"], "completion": completion},
    )
    assert stored["status"] == "stored", stored
    return str(registered["id"])


def test_a_jobs_result_file_is_downloaded_whole_into_the_folder(platform, researcher, tmp_path):
    data = b"PK\x03\x04 imputed dosages " * 4096
    file_id = _result_of_a_job(platform, researcher, data)
    received: list[int] = []
    told: list[tuple[str, int]] = []

    def started(name: str, size: int):
        told.append((name, size))
        return received.append

    with Api(Settings(api_url=platform.url, token=researcher.access_token)) as api:
        saved = download_file(api, file_id, tmp_path, started)
    assert saved == tmp_path / "chr20.imputed.zip"
    assert saved.read_bytes() == data
    assert told == [("chr20.imputed.zip", len(data))]
    assert sum(received) == len(data)
    assert [p.name for p in tmp_path.iterdir()] == ["chr20.imputed.zip"]  # no .part file left behind


class _Jobs:
    """The answers of `GET /jobs/{id}` over time, in the shape of the jobs domain's `JobView`."""

    def __init__(self, *statuses: tuple[str, int | None]) -> None:
        self.answers = [{"id": "j", "name": "chr20", "status": s, "progress": p, "error": None} for s, p in statuses]
        self.asked = 0

    def call(self, method: str, path: str) -> dict[str, Any]:
        assert (method, path) == ("GET", "/jobs/j")
        answer = self.answers[min(self.asked, len(self.answers) - 1)]
        self.asked += 1
        return answer


@pytest.mark.parametrize("outcome", ["completed", "failed", "cancelled"])
def test_wait_asks_until_the_job_ends_and_its_status_becomes_the_exit_status(outcome):
    jobs = _Jobs(("queued", None), ("running", 40), (outcome, 100))
    seen: list[str] = []
    pauses: list[float] = []
    ended = wait_for(
        jobs, "j", interval=15, timeout=None, seen=lambda job: seen.append(job["status"]), pause=pauses.append
    )
    assert ended is not None
    assert seen == ["queued", "running", outcome]
    assert pauses == [15, 15]
    assert EXIT_STATUS[ended["status"]] == {"completed": 0, "failed": 3, "cancelled": 4}[outcome]


def test_wait_gives_up_at_its_timeout():
    jobs = _Jobs(("running", 10))
    now = [0.0]

    def pause(seconds: float) -> None:
        now[0] += seconds

    ended = wait_for(jobs, "j", interval=10, timeout=35, seen=lambda job: None, clock=lambda: now[0], pause=pause)
    assert ended is None
    assert jobs.asked == 4  # at 0, 10, 20 and 30 s; the next would be after the timeout
    assert TIMED_OUT not in EXIT_STATUS.values()


class _Outputs:
    """The answers of `GET /jobs/{id}/outputs` over time, in the shape of the jobs domain's `JobOutputs`."""

    def __init__(self, *answers: dict[str, Any]) -> None:
        self.answers = list(answers)

    def call(self, method: str, path: str) -> dict[str, Any]:
        assert (method, path) == ("GET", "/jobs/j/outputs")
        return self.answers.pop(0)


def _output(name: str, status: str, file_id: str | None) -> dict[str, Any]:
    return {"name": name, "status": status, "file_id": file_id, "size_bytes": None, "attempts": 1, "error": None}


def test_download_waits_while_the_outputs_are_copied_in_and_keeps_the_stored_ones():
    stored, failed = _output("chr_20.zip", "stored", "f-1"), _output("qc.html", "failed", None)
    outputs = _Outputs(
        {"job_id": "j", "state": "copying", "items": []},
        {"job_id": "j", "state": "copying", "items": [stored]},
        {"job_id": "j", "state": "incomplete", "items": [stored, failed]},
    )
    told: list[str] = []
    pauses: list[float] = []
    copied = copied_outputs(outputs, "j", interval=5, copying=lambda: told.append("copying"), pause=pauses.append)
    assert copied == ([stored], [failed])
    assert told == ["copying", "copying"]
    assert pauses == [5, 5]


def test_a_job_that_did_not_complete_has_nothing_to_download():
    with pytest.raises(CliError, match="did not complete"):
        copied_outputs(_Outputs({"job_id": "j", "state": "none", "items": []}), "j", interval=5, copying=lambda: None)


def test_a_job_that_is_not_there_is_refused_with_the_platforms_detail(fip: Fip, signed_in: Account, tmp_path: Path):
    job = str(uuid.uuid4())
    for command in (["download", job, "--output-dir", str(tmp_path / "out")], ["cancel", job]):
        refused = fip(*command)
        assert refused.returncode == 1, command
        assert refused.stderr.startswith("Error:"), refused.stderr
        assert "Traceback" not in refused.stderr
    assert not (tmp_path / "out").exists()

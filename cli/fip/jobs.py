"""Following a job to its end and bringing its outputs home."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import httpx

from fip.api import Api, http_client
from fip.errors import CliError

# A job's terminal statuses (issue #10) and the exit status `fip wait` ends with for each
EXIT_STATUS = {"completed": 0, "failed": 3, "cancelled": 4}
TIMED_OUT = 5
DOWNLOAD_CHUNK = 1024 * 1024


class Asking(Protocol):
    """What asks the platform (`Api`)."""

    def call(self, method: str, path: str) -> Any:
        """The JSON answer of one call."""
        ...


def wait_for(
    api: Asking,
    job_id: str,
    *,
    interval: float,
    timeout: float | None,
    seen: Callable[[dict[str, Any]], None],
    clock: Callable[[], float] = time.monotonic,
    pause: Callable[[float], None] = time.sleep,
) -> dict[str, Any] | None:
    """Ask for the job every `interval` seconds until it ends (answered) or `timeout` passes (None);
    `seen` is shown each answer."""
    deadline = None if timeout is None else clock() + timeout
    while True:
        job = dict(api.call("GET", f"/jobs/{job_id}"))
        seen(job)
        if job.get("status") in EXIT_STATUS:
            return job
        if deadline is not None and clock() + interval > deadline:
            return None
        pause(interval)


def copied_outputs(
    api: Asking,
    job_id: str,
    *,
    interval: float,
    copying: Callable[[], None],
    pause: Callable[[float], None] = time.sleep,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A completed job's outputs once the platform has copied them in (`GET /jobs/{id}/outputs`), as
    (stored, not stored); while it copies, `copying` is told and the outputs asked again every `interval`
    seconds. A job that did not complete has none: an error saying so."""
    while (outputs := api.call("GET", f"/jobs/{job_id}/outputs"))["state"] == "copying":
        copying()
        pause(interval)
    if outputs["state"] == "none":
        raise CliError(f"job {job_id} did not complete, so it has no results (`fip wait {job_id}` says how it ended)")
    stored = [item for item in outputs["items"] if item["status"] == "stored"]
    return stored, [item for item in outputs["items"] if item["status"] != "stored"]


def download_file(api: Api, file_id: str, folder: Path, started: Callable[[str, int], Callable[[int], None]]) -> Path:
    """Download one file of the files domain into `folder` (through a `.part` file, moved into place
    once complete); `started(name, size)` answers the function told each chunk's length."""
    described = api.call("GET", f"/files/{file_id}")
    name = Path(str(described["filename"])).name  # never a path out of the folder
    target = folder / name
    link = api.call("GET", f"/files/{file_id}/download")
    advance = started(name, int(described.get("size_bytes") or 0))
    partial = target.with_name(f".{name}.part")
    try:
        with http_client() as s3, s3.stream("GET", link["url"]) as response:
            if response.is_error:
                raise CliError(f"{name}: the download link answered HTTP {response.status_code}")
            with partial.open("wb") as file:
                for chunk in response.iter_bytes(DOWNLOAD_CHUNK):
                    file.write(chunk)
                    advance(len(chunk))
    except httpx.HTTPError as error:
        partial.unlink(missing_ok=True)
        raise CliError(f"{name}: the download was cut short ({error}); run `fip download` again") from error
    partial.replace(target)
    return target

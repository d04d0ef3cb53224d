"""Uploading a file to the platform: `POST /files` plans a multipart upload to S3, each part is PUT
to its presigned URL, `POST /files/{id}/complete` names the parts' ETags.

Resumable: the upload's id is kept (in `uploads.json` beside the config file, by the file's path,
size, modification time and platform) until it completes, so a run cut short is taken up by the next
one: `GET /files/{id}/upload` answers the parts S3 already holds and fresh URLs for the rest. A part
whose PUT fails is tried again with a fresh URL before the run gives up."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from fip.api import Api, http_client
from fip.config import config_path, read_private, write_private
from fip.errors import ApiError, CliError

PART_TRIES = 3
HASH_CHUNK = 1024 * 1024

type Advance = Callable[[int], None]


def state_path() -> Path:
    """Where unfinished uploads are remembered."""
    return config_path().with_name("uploads.json")


@dataclass(frozen=True)
class LocalFile:
    """A file to upload, and what identifies this version of it."""

    path: Path
    size: int
    modified_ns: int

    @classmethod
    def of(cls, path: Path) -> LocalFile:
        """The file at `path`, which must be a readable regular file."""
        try:
            found = path.resolve(strict=True).stat()
        except OSError as error:
            raise CliError(f"cannot read {path}: {error.strerror}") from error
        return cls(path.resolve(), found.st_size, found.st_mtime_ns)

    def key(self, api_url: str) -> str:
        """What an unfinished upload of exactly this file to this platform is remembered by."""
        return f"{api_url.rstrip('/')}|{self.path}|{self.size}|{self.modified_ns}"

    def sha256(self, advance: Advance) -> str:
        """The file's SHA-256 in lower-case hex, as the platform checks it on arrival."""
        digest = hashlib.sha256()
        with self.path.open("rb") as file:
            while chunk := file.read(HASH_CHUNK):
                digest.update(chunk)
                advance(len(chunk))
        return digest.hexdigest()

    def part(self, number: int, part_size: int) -> bytes:
        """The bytes of one part (numbered from 1)."""
        with self.path.open("rb") as file:
            file.seek((number - 1) * part_size)
            return file.read(min(part_size, self.size - (number - 1) * part_size))


def part_urls(plan: dict[str, Any]) -> dict[int, str]:
    """Where to PUT each part of an upload (`POST /files`' or `GET /files/{id}/upload`'s answer), by number."""
    return {int(part["part_number"]): str(part["url"]) for part in plan["upload"]["parts"]}


class Uploader:
    """Uploads files as the configured user, taking up unfinished uploads of the same files."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.api_url = api.settings.api_url or ""

    def upload(self, local: LocalFile, build: str | None, advance: Advance) -> dict[str, Any]:
        """Upload one file (or finish uploading it); the platform's view of it once it is complete.
        `advance` is told how many bytes were hashed or sent."""
        key = local.key(self.api_url)
        remembered = self._remembered().get(key)
        plan: dict[str, Any] | None = None
        if remembered is not None:
            plan = self._resume(remembered["file_id"])
        if plan is None:
            sha256 = local.sha256(advance)
            body = {"filename": local.path.name, "size_bytes": local.size, "sha256": sha256, "build": build}
            plan = self.api.call("POST", "/files", body=body)
            self._remember(key, {"file_id": plan["id"], "filename": local.path.name})
            plan["received"] = []
        else:
            advance(local.size)  # hashed when the upload began
        file_id = str(plan["id"])
        parts = self._send_parts(file_id, local, plan, advance)
        answer = self.api.call("POST", f"/files/{file_id}/complete", body={"parts": parts})
        self._forget(key)
        return dict(answer)

    def _resume(self, file_id: str) -> dict[str, Any] | None:
        """The upload's state, or None when it cannot be taken up (completed, aborted, deleted)."""
        try:
            state = self._state(file_id)
        except ApiError as problem:
            if problem.status in (404, 409, 410):
                return None
            raise
        return state if state.get("status") == "uploading" else None

    def _send_parts(
        self, file_id: str, local: LocalFile, plan: dict[str, Any], advance: Advance
    ) -> list[dict[str, Any]]:
        part_size = int(plan["upload"]["part_size"])
        done = {}
        for received in plan["received"]:
            done[int(received["part_number"])] = str(received["etag"])
            advance(int(received["size_bytes"]))
        urls = part_urls(plan)
        with http_client() as s3:
            for number in sorted(set(urls) - set(done)):
                data = local.part(number, part_size)
                for attempt in range(1, PART_TRIES + 1):
                    try:
                        response = s3.put(urls[number], content=data)
                    except httpx.HTTPError as error:
                        if attempt == PART_TRIES:
                            raise self._cut_short(local, f"part {number} was not sent: {error}") from error
                    else:
                        if response.is_success and response.headers.get("etag"):
                            done[number] = response.headers["etag"]
                            advance(len(data))
                            break
                        if attempt == PART_TRIES:
                            raise self._cut_short(local, f"S3 refused part {number} (HTTP {response.status_code})")
                    # the URL may have expired, or the connection dropped: fresh URLs for what is left
                    urls = part_urls(self._state(file_id))
        return [{"part_number": number, "etag": etag} for number, etag in sorted(done.items())]

    def _state(self, file_id: str) -> dict[str, Any]:
        """`GET /files/{id}/upload`: the parts S3 holds and fresh URLs for every part."""
        return dict(self.api.call("GET", f"/files/{file_id}/upload"))

    @staticmethod
    def _cut_short(local: LocalFile, reason: str) -> CliError:
        return CliError(f"{local.path.name}: {reason}; run the same `fip upload` again to resume")

    def _remembered(self) -> dict[str, Any]:
        return read_private(state_path())

    def _remember(self, key: str, value: dict[str, Any]) -> None:
        write_private(state_path(), {**self._remembered(), key: value})

    def _forget(self, key: str) -> None:
        remembered = self._remembered()
        if remembered.pop(key, None) is not None:
            write_private(state_path(), remembered)

"""The web console (`web/`, built into `web/dist` by `make web`) at `/` of the local gateway, as
CloudFront serves it in the cloud: its index.html and its hashed files, with the same security headers.
Only the files the build wrote can be asked for: no path is ever joined from a request."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from infra.web_policy import ASSETS_PREFIX, IMMUTABLE_CACHE, INDEX, REVALIDATE_CACHE, security_headers


@dataclass(frozen=True)
class ConsoleFile:
    """A file of the built console and the headers it is answered with."""

    body: bytes
    headers: list[tuple[str, str]]


class WebConsole:
    """The built console's files by URL path, read once when the platform starts."""

    def __init__(self, dist: Path, upload_origins: Callable[[], Sequence[str]]) -> None:
        self.dist = dist
        self._upload_origins = upload_origins
        self._paths: dict[str, Path] = {}
        if (dist / INDEX).is_file():
            built = (entry for entry in dist.rglob("*") if entry.is_file())
            self._paths = {f"/{entry.relative_to(dist).as_posix()}": entry for entry in built}
            self._paths["/"] = dist / INDEX
        self._cache: dict[str, ConsoleFile] = {}

    @property
    def built(self) -> bool:
        """Whether `make web` has built the console."""
        return bool(self._paths)

    def serves(self, path: str) -> bool:
        """Whether `path` is one of the console's own (the API never answers these)."""
        return path in ("/", f"/{INDEX}") or path.startswith(ASSETS_PREFIX) or path in self._paths

    def file(self, path: str) -> ConsoleFile | None:
        """The file at `path`, or None when the build has none there."""
        if path not in self._paths:
            return None
        if path not in self._cache:
            source = self._paths[path]
            content_type = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
            if content_type.startswith("text/") or content_type.endswith(("javascript", "json", "svg+xml")):
                content_type += "; charset=utf-8"
            caching = IMMUTABLE_CACHE if path.startswith(ASSETS_PREFIX) else REVALIDATE_CACHE
            headers = [("Content-Type", content_type), ("Cache-Control", caching)]
            # served over plain HTTP on loopback: no HSTS and no upgrade of the storage's http:// URLs
            headers += security_headers(self._upload_origins(), https=False)
            self._cache[path] = ConsoleFile(source.read_bytes(), headers)
        return self._cache[path]

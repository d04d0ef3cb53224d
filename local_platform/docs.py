"""Swagger UI for the platform's OpenAPI document, served from the swagger-ui-bundle package so that
it works offline."""

from __future__ import annotations

import functools
import mimetypes
from dataclasses import dataclass
from pathlib import Path

import swagger_ui_bundle

DOCS_PATH = "/docs"
STATIC_PREFIX = f"{DOCS_PATH}/static/"
OPENAPI_PATH = "/openapi.json"

_PAGE = """<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <title>{title} - Swagger UI</title>
    <link rel="stylesheet" type="text/css" href="{static}swagger-ui.css">
    <link rel="icon" type="image/png" href="{static}favicon-32x32.png" sizes="32x32">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="{static}swagger-ui-bundle.js" charset="UTF-8"></script>
    <script src="{static}swagger-ui-standalone-preset.js" charset="UTF-8"></script>
    <script>
      window.onload = function () {{
        window.ui = SwaggerUIBundle({{
          url: "{openapi}",
          dom_id: "#swagger-ui",
          deepLinking: true,
          presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
          layout: "StandaloneLayout"
        }});
      }};
    </script>
  </body>
</html>
"""

_CONTENT_TYPES = {".js": "application/javascript", ".css": "text/css", ".map": "application/json"}


@dataclass(frozen=True)
class StaticAsset:
    """A file of the Swagger UI bundle."""

    body: bytes
    content_type: str


class SwaggerUi:
    """The Swagger UI page and its static files."""

    def __init__(self, title: str) -> None:
        self.assets = Path(swagger_ui_bundle.swagger_ui_path)
        self.page = _PAGE.format(title=title, static=STATIC_PREFIX, openapi=OPENAPI_PATH).encode()
        # only the files the bundle ships can be asked for: no path is ever joined from a request
        self._files = {entry.name: entry for entry in self.assets.iterdir() if entry.is_file()}

    def asset(self, name: str) -> StaticAsset | None:
        """A bundled file by its name, or None."""
        path = self._files.get(name)
        return None if path is None else _static(path)


@functools.cache
def _static(path: Path) -> StaticAsset:
    # read once: the bundle is over a megabyte and does not change while the platform runs
    suffix = path.suffix.lower()
    content_type = _CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if content_type.startswith("text/") or content_type.endswith(("javascript", "json")):
        content_type += "; charset=utf-8"
    return StaticAsset(path.read_bytes(), content_type)

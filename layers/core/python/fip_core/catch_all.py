"""The platform's answer to every request no declared route takes: API Gateway's `$default` route.

In the cloud `$default` reaches a function of its own, outside the VPC, with no database and no domain
code: it answers 405 with `Allow` when the path is declared for other methods, else 404, both as
problem JSON, and runs nothing else. It knows the declared routes from a catalogue written next to
its code when the app is built (`routes.json`); the local gateway answers with the same function.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.logging import correlation_paths
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from fip_core.observability import observability
from fip_core.problems import PROBLEM_CONTENT_TYPE, Problem
from fip_core.tasks import task_handler

if TYPE_CHECKING:
    from fip_core.declaration import HttpRoute

CATALOGUE_FILE = "routes.json"
OPENAPI_PATH = "/openapi.json"


@dataclass(frozen=True)
class RouteCatalogue:
    """Every declared method and path of the platform, matched segment by segment as API Gateway does:
    a `{parameter}` segment takes any one non-empty segment."""

    routes: tuple[tuple[str, tuple[str, ...]], ...]

    @classmethod
    def of(cls, routes: Iterable[HttpRoute]) -> RouteCatalogue:
        """The catalogue of these declared routes."""
        return cls(tuple((route.method, segments(route.path)) for route in routes))

    @classmethod
    def from_json(cls, text: str) -> RouteCatalogue:
        """The catalogue `to_json` wrote."""
        return cls(tuple((method, segments(path)) for method, path in json.loads(text)))

    def to_json(self) -> str:
        """`[[method, path], ...]`, for the catch-all function's code."""
        return json.dumps([[method, "/" + "/".join(parts)] for method, parts in self.routes], indent=1)

    def allowed_methods(self, path: str) -> list[str]:
        """The methods declared for a path, sorted; none when no route has that path."""
        requested = segments(path)
        return sorted({method for method, parts in self.routes if matches(parts, requested)})


def segments(path: str) -> tuple[str, ...]:
    """A path's segments: `/services/{id}/` is ('services', '{id}'). One trailing slash is dropped, as
    API Gateway routes `/services/` like `/services`; empty segments inside the path are kept."""
    inner = path.removeprefix("/")
    return tuple(inner.removesuffix("/").split("/")) if inner else ()


def matches(template: tuple[str, ...], requested: tuple[str, ...]) -> bool:
    """Whether a request path's segments fit a route path's segments."""
    return len(template) == len(requested) and all(
        part == given or (part.startswith("{") and part.endswith("}") and given != "")
        for part, given in zip(template, requested, strict=True)
    )


def catch_all_answer(catalogue: RouteCatalogue, method: str, path: str) -> dict[str, Any]:
    """The payload 2.0 answer to a request that matched no route: 405 with `Allow`, or 404."""
    allowed = catalogue.allowed_methods(path)
    headers = {"Content-Type": PROBLEM_CONTENT_TYPE}
    if allowed:
        headers["Allow"] = ", ".join(allowed)
        problem = Problem(
            title="Method not allowed",
            status=int(HTTPStatus.METHOD_NOT_ALLOWED),
            detail=f"{path} does not answer {method}; it answers {', '.join(allowed)}",
        )
    else:
        problem = Problem(
            title="Not found",
            status=int(HTTPStatus.NOT_FOUND),
            detail=f"no route {method} {path}; the API is described at {OPENAPI_PATH}",
        )
    return {"statusCode": problem.status, "headers": headers, "body": problem.model_dump_json(exclude_none=True)}


class CatchAllSettings(BaseSettings):
    """Where the catch-all function finds its catalogue: the root of its code, which Lambda names."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    code_root: Path = Field(default=Path(), validation_alias="LAMBDA_TASK_ROOT")


@cache
def _catalogue() -> RouteCatalogue:
    return RouteCatalogue.from_json((CatchAllSettings().code_root / CATALOGUE_FILE).read_text())


def answer(event: dict[str, Any]) -> dict[str, Any]:
    """The catch-all answer to an HTTP API request event."""
    http = (event.get("requestContext") or {}).get("http") or {}
    return catch_all_answer(_catalogue(), str(http.get("method", "")), str(event.get("rawPath", "/")))


handler = task_handler(observability("platform"), answer, correlation_paths.API_GATEWAY_HTTP)

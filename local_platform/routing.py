"""Matching a request to a declared route the way API Gateway HTTP APIs do: a literal path beats
a path with parameters, and only declared routes exist."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from fip_core.declaration import DomainDeclaration, HttpRoute


@dataclass(frozen=True)
class RouteMatch:
    """The route a request matched, with its domain and path parameters."""

    domain: DomainDeclaration
    route: HttpRoute
    path_parameters: dict[str, str]


@dataclass(frozen=True)
class _CompiledRoute:
    domain: DomainDeclaration
    route: HttpRoute
    pattern: re.Pattern[str]
    literal_segments: int


class RouteTable:
    """Every route of every domain, most specific first."""

    def __init__(self, domains: tuple[DomainDeclaration, ...]) -> None:
        compiled = []
        for domain in domains:
            for route in domain.routes:
                regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(route.path))
                literal = sum(1 for segment in route.path.split("/") if segment and not segment.startswith("{"))
                compiled.append(_CompiledRoute(domain, route, re.compile(f"^{regex}$"), literal))
        self._routes = sorted(compiled, key=lambda r: -r.literal_segments)

    def match(self, method: str, path: str) -> RouteMatch | None:
        """The route for this method and path, or None (API Gateway answers 404 then)."""
        for candidate in self._routes:
            if candidate.route.method != method.upper():
                continue
            found = candidate.pattern.match(path)
            if found:
                parameters = {key: unquote(value) for key, value in found.groupdict().items()}
                return RouteMatch(candidate.domain, candidate.route, parameters)
        return None

    def allowed_methods(self, path: str) -> list[str]:
        """Methods declared for a path, for telling 404 from 405."""
        return sorted({c.route.method for c in self._routes if c.pattern.match(path)})

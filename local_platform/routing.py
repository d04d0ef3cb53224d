"""Matching a request to a declared route the way API Gateway HTTP APIs do: the method exactly as
sent (methods are case-sensitive), the path segment by segment, a literal segment before a
parameter, one trailing slash ignored; only declared routes exist."""

from __future__ import annotations

from dataclasses import dataclass

from fip_core.catch_all import RouteCatalogue, matches, segments
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
    segments: tuple[str, ...]

    @property
    def specificity(self) -> tuple[bool, ...]:
        # segment by segment, a literal beats a parameter: `/services/types` before `/services/{id}`
        return tuple(part.startswith("{") for part in self.segments)


class RouteTable:
    """Every route of every domain, most specific first."""

    def __init__(self, domains: tuple[DomainDeclaration, ...]) -> None:
        compiled = [
            _CompiledRoute(domain, route, segments(route.path)) for domain in domains for route in domain.routes
        ]
        self._routes = sorted(compiled, key=lambda r: r.specificity)
        self.catalogue = RouteCatalogue.of(route for domain in domains for route in domain.routes)

    def match(self, method: str, path: str) -> RouteMatch | None:
        """The route for this method and (decoded) path, or None: API Gateway's `$default` then."""
        requested = segments(path)
        for candidate in self._routes:
            if candidate.route.method == method and matches(candidate.segments, requested):
                parameters = {
                    part[1:-1]: given
                    for part, given in zip(candidate.segments, requested, strict=True)
                    if part.startswith("{")
                }
                return RouteMatch(candidate.domain, candidate.route, parameters)
        return None

"""One OpenAPI document for the whole platform, merged from every domain's API resolver."""

from __future__ import annotations

import importlib
import json
import logging
from typing import Any

from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge

from fip_core.declaration import DomainDeclaration

TITLE = "Federated Imputation Platform API"
VERSION = "0.1.0"
log = logging.getLogger(__name__)
RESOLVER_ATTRIBUTE = "app"  # the module attribute holding a domain's Powertools resolver


def domain_resolver(domain: DomainDeclaration) -> Any:
    """The Powertools resolver of a domain's API function, or None when its module has none."""
    module_name = domain.function(domain.api_function).handler.rpartition(".")[0]
    return getattr(importlib.import_module(module_name), RESOLVER_ATTRIBUTE, None)


def resolver_schema(resolver: Any, title: str = TITLE, version: str = VERSION) -> dict[str, Any]:
    """A resolver's own OpenAPI document, as plain JSON values."""
    document: dict[str, Any] = json.loads(resolver.get_openapi_json_schema(title=title, version=version))
    return document


def merge_schemas(schemas: list[dict[str, Any]], title: str = TITLE, version: str = VERSION) -> dict[str, Any]:
    """The documents merged into one; a path and method declared twice keeps its first definition."""
    merger = OpenAPIMerge(title=title, version=version, on_conflict="warn")
    for schema in schemas:
        merger.add_schema(schema)
    return merger.get_openapi_schema()


def platform_openapi(domains: tuple[DomainDeclaration, ...]) -> dict[str, Any]:
    """The OpenAPI document of every domain's HTTP API (imports the API handler modules)."""
    schemas = []
    for domain in domains:
        resolver = domain_resolver(domain)
        if resolver is None:
            log.warning(
                "! %s: its API module has no '%s' resolver; left out of /openapi.json", domain.name, RESOLVER_ATTRIBUTE
            )
            continue
        schemas.append(resolver_schema(resolver))
    return merge_schemas(schemas)

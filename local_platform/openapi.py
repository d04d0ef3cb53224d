"""One OpenAPI document for the whole platform, merged from every domain's API resolver."""

from __future__ import annotations

import importlib
import json
import logging
import sys
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge

from fip_core.access import Access
from fip_core.declaration import DomainDeclaration

TITLE = "Federated Imputation Platform API"
VERSION = "0.1.0"
log = logging.getLogger(__name__)
RESOLVER_ATTRIBUTE = "app"  # the module attribute holding a domain's Powertools resolver
# What API Gateway itself answers when the authorizer refuses a request: no token (401) or a token it
# refused (403), with its own JSON body, before any function of the platform runs.
GATEWAY_REFUSAL = "GatewayRefusal"
_GATEWAY_REFUSAL_SCHEMA = {
    "title": GATEWAY_REFUSAL,
    "type": "object",
    "properties": {"message": {"type": "string", "enum": ["Unauthorized", "Forbidden"]}},
    "required": ["message"],
    "description": "API Gateway's own answer when the authorizer refuses the request's token, or there is none.",
}
_GATEWAY_ANSWERS = {401: "Unauthorized: send 'Authorization: Bearer <token>'", 403: "Forbidden"}


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
    return with_gateway_refusals(merge_schemas(schemas), domains)


def with_gateway_refusals(document: dict[str, Any], domains: tuple[DomainDeclaration, ...]) -> dict[str, Any]:
    """The document with API Gateway's own 401 and 403 on every route behind the authorizer, beside
    what the route itself may answer (a 403 problem when the caller lacks the role)."""
    document.setdefault("components", {}).setdefault("schemas", {})[GATEWAY_REFUSAL] = _GATEWAY_REFUSAL_SCHEMA
    reference = {"schema": {"$ref": f"#/components/schemas/{GATEWAY_REFUSAL}"}}
    for domain in domains:
        for route in domain.routes:
            operation = document.get("paths", {}).get(route.path, {}).get(route.method.lower())
            if operation is None or route.access is Access.PUBLIC:
                continue
            for status, description in _GATEWAY_ANSWERS.items():
                answer = operation.setdefault("responses", {}).setdefault(str(status), {"description": description})
                answer.setdefault("content", {})["application/json"] = reference
    return document


def write_platform_openapi(path: Path) -> None:
    """Write the merged document of every shipped domain to `path`, without starting anything: the web
    console's typed client is generated from it (`web/`), so a changed route breaks its build."""
    from infra.domains import DOMAINS  # noqa: PLC0415 - the shipped domains, only for this command

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(platform_openapi(DOMAINS), indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    # `python -m local_platform.openapi OUT.json` (what `make web` runs)
    write_platform_openapi(Path(sys.argv[1]))

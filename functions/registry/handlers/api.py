"""The registry's HTTP API function: services, reference panels, health and the GA4GH Service Registry.

The routes are in `registry.handlers.routes`, one module per aggregate; a container loads a module on
the first request for one of its routes (fip_core.api_function), so a cold start pays for what it
serves. A test holds this table to the declaration and to what each module registers.
"""

from __future__ import annotations

from fip_core.api_function import ApiFunction
from registry import DOMAIN

ROUTES = "registry.handlers.routes"
API = ApiFunction(
    DOMAIN,
    f"{DOMAIN}.declaration",
    {
        f"{ROUTES}.services": (
            "GET /services",
            "POST /services",
            "GET /services/{service_id}",
            "PATCH /services/{service_id}",
            "DELETE /services/{service_id}",
        ),
        f"{ROUTES}.panels": (
            "GET /services/{service_id}/panels",
            "POST /services/{service_id}/panels",
            "GET /services/{service_id}/panels/{panel_id}",
            "PATCH /services/{service_id}/panels/{panel_id}",
            "DELETE /services/{service_id}/panels/{panel_id}",
            "GET /panels",
        ),
        f"{ROUTES}.health": (
            "GET /services/{service_id}/health",
            "GET /services/{service_id}/health/history",
            "GET /service-health",
        ),
        f"{ROUTES}.probing": (
            "POST /services/test-connection",
            "POST /services/{service_id}/health-check",
            "POST /services/{service_id}/panels/sync",
        ),
        f"{ROUTES}.discovery": ("GET /services/discover",),
        f"{ROUTES}.residency": ("GET /residency-policy", "PUT /residency-policy"),
        f"{ROUTES}.ga4gh": (
            "GET /ga4gh/registry/v1/services",
            "GET /ga4gh/registry/v1/services/types",
            "GET /ga4gh/registry/v1/services/{service_id}",
            "GET /ga4gh/registry/v1/service-info",
        ),
    },
)
handler = API.handler
__getattr__ = API.module_attribute  # `app`: every route loaded, for the OpenAPI document and the tests

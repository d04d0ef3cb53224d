"""The monitoring domain's HTTP API function: dashboards of jobs and services.

The routes are in `monitoring.handlers.routes.dashboards`, loaded on the first request for one of
them (fip_core.api_function); a test holds this table to the declaration.
"""

from __future__ import annotations

from fip_core.api_function import ApiFunction
from monitoring import DOMAIN

API = ApiFunction(
    DOMAIN,
    f"{DOMAIN}.declaration",
    {
        f"{DOMAIN}.handlers.routes.dashboards": (
            "GET /dashboard",
            "GET /dashboard/platform",
            "GET /dashboard/services",
            "GET /dashboard/services/at-risk",
        ),
    },
)
handler = API.handler
__getattr__ = API.module_attribute  # `app`: every route loaded, for the OpenAPI document and the tests

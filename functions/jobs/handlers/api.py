"""The jobs domain's HTTP API function: a user's imputation jobs.

The routes are in `jobs.handlers.routes.jobs`, loaded on the first request for one of them
(fip_core.api_function); a test holds this table to the declaration.
"""

from __future__ import annotations

from fip_core.api_function import ApiFunction
from jobs import DOMAIN

API = ApiFunction(
    DOMAIN,
    f"{DOMAIN}.declaration",
    {
        f"{DOMAIN}.handlers.routes.jobs": (
            "POST /jobs",
            "GET /jobs",
            "GET /jobs/{job_id}",
            "POST /jobs/{job_id}/cancel",
            "POST /jobs/{job_id}/retry",
            "GET /jobs/{job_id}/outputs",
            "GET /jobs/{job_id}/password",
        )
    },
)
handler = API.handler
__getattr__ = API.module_attribute  # `app`: every route loaded, for the OpenAPI document and the tests

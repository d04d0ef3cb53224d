"""The files domain's HTTP API function: uploads, validation results, downloads.

The routes are in `files.handlers.routes.files`, loaded on the first request for one of them
(fip_core.api_function); a test holds this table to the declaration.
"""

from __future__ import annotations

from files import DOMAIN
from fip_core.api_function import ApiFunction

API = ApiFunction(
    DOMAIN,
    f"{DOMAIN}.declaration",
    {
        f"{DOMAIN}.handlers.routes.files": (
            "POST /files",
            "GET /files",
            "GET /files/{file_id}",
            "DELETE /files/{file_id}",
            "POST /files/{file_id}/complete",
            "POST /files/{file_id}/abort",
            "GET /files/{file_id}/upload",
            "PUT /files/{file_id}/residency",
            "GET /files/{file_id}/download",
        ),
    },
)
handler = API.handler
__getattr__ = API.module_attribute  # `app`: every route loaded, for the OpenAPI document and the tests

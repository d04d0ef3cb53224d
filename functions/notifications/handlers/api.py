"""The notifications domain's HTTP API function: the caller's in-app notifications and preferences.

The routes are in `notifications.handlers.routes.notifications`, loaded on the first request for one of
them (fip_core.api_function); a test holds this table to the declaration.
"""

from __future__ import annotations

from fip_core.api_function import ApiFunction
from notifications import DOMAIN

API = ApiFunction(
    DOMAIN,
    f"{DOMAIN}.declaration",
    {
        f"{DOMAIN}.handlers.routes.notifications": (
            "GET /notifications",
            "GET /notifications/unread-count",
            "POST /notifications/read-all",
            "GET /notifications/preferences",
            "PUT /notifications/preferences",
            "POST /notifications/{notification_id}/read",
            "DELETE /notifications/{notification_id}",
        ),
    },
)
handler = API.handler
__getattr__ = API.module_attribute  # `app`: every route loaded, for the OpenAPI document and the tests

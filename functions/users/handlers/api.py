"""The users HTTP API function: accounts, two-factor sign-in, profiles, roles, personal API tokens,
stored tokens, audit log. Each route validates its input, hands the logic its adapters (the pool, the
key, the clock, the store) and maps nothing itself.

The routes are in `users.handlers.routes`, grouped by what they are about; a container loads a module
on the first request for one of its routes (fip_core.api_function), so a cold start pays for what it
serves. A test holds this table to the declaration and to what each module registers.
"""

from __future__ import annotations

from fip_core.api_function import ApiFunction
from users import DOMAIN

ROUTES = "users.handlers.routes"
API = ApiFunction(
    DOMAIN,
    f"{DOMAIN}.declaration",
    {
        f"{ROUTES}.accounts": (
            "POST /auth/sign-up",
            "POST /auth/confirm",
            "POST /auth/resend-code",
            "POST /auth/sign-in",
            "POST /auth/sign-in/mfa",
            "POST /auth/sign-in/new-password",
            "POST /auth/refresh",
            "POST /auth/forgot-password",
            "POST /auth/reset-password",
            "POST /auth/sign-out",
            "POST /auth/change-password",
        ),
        f"{ROUTES}.profile": ("GET /me", "PATCH /me"),
        f"{ROUTES}.mfa": ("GET /me/mfa", "POST /me/mfa/totp", "POST /me/mfa/totp/verify", "DELETE /me/mfa"),
        f"{ROUTES}.tokens": (
            "GET /me/api-tokens",
            "POST /me/api-tokens",
            "DELETE /me/api-tokens/{token_id}",
            "GET /me/credentials",
            "PUT /me/credentials/{service_id}",
            "DELETE /me/credentials/{service_id}",
        ),
        f"{ROUTES}.admin": (
            "GET /users",
            "GET /users/{user_id}",
            "PUT /users/{user_id}/status",
            "GET /users/{user_id}/roles",
            "POST /users/{user_id}/roles",
            "DELETE /users/{user_id}/roles/{grant_id}",
            "GET /audit-log",
        ),
    },
)
handler = API.handler
__getattr__ = API.module_attribute  # `app`: every route loaded, for the OpenAPI document and the tests

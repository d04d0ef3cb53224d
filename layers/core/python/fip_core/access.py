"""Who is calling and what they may do: roles, grants, the principal the authorizer hands to the
handlers, and the one check every route goes through.

Every declared route names its `Access` rule. The authorizer authenticates (at the gateway); the
API handler wrapper in `fip_core.http` enforces the route's rule before the route runs.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field

from fip_core.problems import ForbiddenError, UnauthenticatedError


class Role(StrEnum):
    """What a user may do on the platform."""

    ADMIN = "admin"  # everything; manages users and roles
    SERVICE_ADMIN = "service_admin"  # manages one imputation service (or all, unscoped)
    RESEARCHER = "researcher"  # submits and follows imputation jobs
    VIEWER = "viewer"  # reads


class Access(StrEnum):
    """Who may call a route."""

    PUBLIC = "public"  # anybody: sign-up, sign-in, password reset
    SIGNED_IN = "signed_in"  # any signed-in user
    SELF = "self"  # any signed-in user, on their own resources only (the handler scopes by user id)
    # as SELF, but only in a session signed in with a password (a Cognito token), never with a personal
    # API token: what a leaked token must not do, such as making more tokens or changing the password
    SESSION = "session"
    SERVICE_ADMIN = "service_admin"  # admins, and service admins of the {service_id} in the path
    ADMIN = "admin"  # platform admins
    ADMIN_SESSION = "admin_session"  # platform admins, in a session signed in with a password: granting roles


SESSION_NEEDED = (
    "this needs a signed-in session: sign in at /auth/sign-in and send its access token, not a personal API token"
)


class Grant(BaseModel):
    """A role held by a user, possibly for one service only, possibly until a moment."""

    role: Role
    service_id: str | None = None
    expires_at: datetime | None = None

    def active(self, now: datetime) -> bool:
        """Whether the grant still holds."""
        return self.expires_at is None or self.expires_at > now


class Principal(BaseModel):
    """The signed-in caller, as the authorizer established."""

    user_id: str
    email: str | None = None
    method: Literal["cognito", "api_token"]
    token_id: str | None = Field(default=None, description="The personal API token used, if any.")
    grants: list[Grant] = Field(default_factory=list)
    held_back: str | None = Field(
        default=None, description="Why some of the caller's roles are not in `grants` now, and what to do about it."
    )

    def holds(self, role: Role, service_id: str | None = None, now: datetime | None = None) -> bool:
        """Whether an active grant gives this role, unscoped or for this service."""
        moment = now or datetime.now(UTC)
        return any(
            grant.role is role and grant.active(moment) and (grant.service_id is None or grant.service_id == service_id)
            for grant in self.grants
        )

    def to_context(self) -> dict[str, str]:
        """The authorizer's context: flat strings, which every API Gateway flavour passes on."""
        return {
            "user_id": self.user_id,
            "email": self.email or "",
            "method": self.method,
            "token_id": self.token_id or "",
            "grants": json.dumps([grant.model_dump(mode="json") for grant in self.grants]),
            "held_back": self.held_back or "",
        }

    @classmethod
    def from_context(cls, context: dict[str, Any]) -> Principal:
        """The principal an authorizer context describes."""
        return cls(
            user_id=str(context["user_id"]),
            email=context.get("email") or None,
            method=context.get("method", "cognito"),
            token_id=context.get("token_id") or None,
            grants=[Grant.model_validate(grant) for grant in json.loads(context.get("grants") or "[]")],
            held_back=context.get("held_back") or None,
        )


# What the authorizer hands on when it could not decide because a database it reads is unavailable (an
# Aurora cluster resuming from a pause): API Gateway would answer an authorizer's failure with a bare 500,
# so it lets the request through marked unavailable, and the API handler answers 503 with Retry-After
# before anything else. The mark carries no identity: nothing is served on it.
UNAVAILABLE = "unavailable"
RETRY_AFTER = "retry_after_seconds"


def unavailable_context(retry_after_seconds: int) -> dict[str, str]:
    """The authorizer's context saying it could not decide: come back after this many seconds."""
    return {UNAVAILABLE: "database", RETRY_AFTER: str(retry_after_seconds)}


def unavailable_retry_after(event: dict[str, Any]) -> int | None:
    """Seconds to wait, when the authorizer marked the request as undecidable for now; else None."""
    context = ((event.get("requestContext") or {}).get("authorizer") or {}).get("lambda") or {}
    if not context.get(UNAVAILABLE):
        return None
    try:
        return max(1, int(context.get(RETRY_AFTER) or 0))
    except ValueError:
        return 1


def principal_from_event(event: dict[str, Any]) -> Principal | None:
    """The principal an HTTP API request carries from the Lambda authorizer, if any."""
    context = ((event.get("requestContext") or {}).get("authorizer") or {}).get("lambda") or {}
    if not context.get("user_id"):
        return None
    return Principal.from_context(context)


def check_access(access: Access, principal: Principal | None, path_parameters: dict[str, str], now: datetime) -> None:
    """Raise unless the principal may call a route with this rule."""
    if access is Access.PUBLIC:
        return
    if principal is None:
        raise UnauthenticatedError("sign in and send the token as 'Authorization: Bearer <token>'")
    if access in (Access.SESSION, Access.ADMIN_SESSION) and principal.method != "cognito":
        raise ForbiddenError(SESSION_NEEDED)
    if access in (Access.SIGNED_IN, Access.SELF, Access.SESSION):
        return
    if principal.holds(Role.ADMIN, None, now):
        return
    if access in (Access.ADMIN, Access.ADMIN_SESSION):
        raise _refusal(principal, "this needs the admin role; ask a platform administrator")
    service_id = path_parameters.get("service_id")
    if service_id is None:
        if any(g.role in (Role.SERVICE_ADMIN, Role.ADMIN) and g.active(now) for g in principal.grants):
            return
        raise _refusal(principal, "this needs the service_admin role; ask a platform administrator")
    if principal.holds(Role.SERVICE_ADMIN, service_id, now) or principal.holds(Role.ADMIN, service_id, now):
        return
    raise _refusal(
        principal, f"this needs the service_admin role for service {service_id}; ask a platform administrator"
    )


def _refusal(principal: Principal, detail: str) -> ForbiddenError:
    # a role held but held back (e.g. until two-factor sign-in is on) says so, and what to do
    return ForbiddenError(f"{detail}. {principal.held_back}" if principal.held_back else detail)

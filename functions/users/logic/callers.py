"""Rules about who is calling, beyond the route's access rule."""

from __future__ import annotations

from fip_core.access import SESSION_NEEDED, Principal
from fip_core.problems import ForbiddenError


def require_session(principal: Principal) -> None:
    """Refuse a caller who proved themselves with a personal API token: a leaked token must not mint
    more tokens or hand out roles. The routes that do so are declared `Access.SESSION` or
    `Access.ADMIN_SESSION` too; this keeps the rule true for any other way into the logic."""
    if principal.method != "cognito":
        raise ForbiddenError(SESSION_NEEDED)

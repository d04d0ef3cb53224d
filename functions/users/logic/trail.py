"""The users domain's own entries in the audit log: who did what to which account, from where."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fip_core.access import Principal
from fip_core.audit import audit_record
from users.dal.repository import UsersRepository
from users.settings import DOMAIN


def record_user_action(
    repo: UsersRepository,
    action: str,
    actor: Principal | None,
    user_id: str | None,
    now: datetime,
    *,
    source_ip: str | None = None,
    outcome: str = "success",
    details: dict[str, Any] | None = None,
) -> None:
    """Audit an action on an account (`user_id`, when known) by `actor` (None: somebody not signed in)."""
    repo.audit(
        audit_record(
            DOMAIN, action, actor, now, target_type="user", target_id=user_id, source_ip=source_ip, outcome=outcome,
            details=details,
        )
    )  # fmt: skip

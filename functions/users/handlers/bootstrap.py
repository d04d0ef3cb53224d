"""Internal, IAM-only: creates the platform's first admin.

    aws lambda invoke --function-name <BootstrapAdminFunctionName> \\
        --cli-binary-format raw-in-base64-out --payload '{"email": "you@example.org"}' answer.json

Without a password Cognito emails a temporary one, which the admin replaces at first sign-in
(`/auth/sign-in` answers NEW_PASSWORD_REQUIRED; `/auth/sign-in/new-password`). The admin role takes
effect once the admin turns on two-factor sign-in (`/me/mfa/totp`). Refused once anybody holds the
admin role.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from fip_core.observability import observability
from fip_core.tasks import task_handler
from users import DOMAIN

if TYPE_CHECKING:
    from users.logic.ports import Transactions

obs = observability(DOMAIN)


def transactions() -> Transactions:
    """The transactions the logic is handed (a test may hand it failing ones)."""
    from users.dal import unit_of_work

    return unit_of_work.STORE


def bootstrap(event: dict[str, Any]) -> dict[str, Any]:
    """`{"user_id": ...}`, or `{"error": ...}` saying why not."""
    # imported on the invocation: the function runs once in the platform's life
    from pydantic import ValidationError

    from fip_core.problems import DomainError
    from users.adapters.cognito import cognito_accounts
    from users.logic.roles import bootstrap_admin
    from users.models.accounts import BootstrapRequest

    try:
        request = BootstrapRequest.model_validate(event)
    except ValidationError as error:
        return {"error": "invalid_request", "detail": str(error.errors(include_input=False))}
    password = request.password.get_secret_value() if request.password else None
    try:
        user_id = bootstrap_admin(transactions(), cognito_accounts(), request.email, password, datetime.now(UTC))
    except DomainError as refused:
        return {"error": "refused", "detail": refused.detail}
    obs.logger.info("first admin created", extra={"user_id": user_id})
    return {"user_id": user_id, "email": request.email}


handler = task_handler(obs, bootstrap)

"""Internal, IAM-only: a user's external service token, decrypted for the jobs domain.

Not behind the HTTP API: only roles granted lambda:InvokeFunction on this function can call it.
"""

from __future__ import annotations

from typing import Any

from fip_core.observability import observability
from fip_core.tasks import task_handler
from users import DOMAIN

obs = observability(DOMAIN)


def reveal(event: dict[str, Any]) -> dict[str, Any]:
    """`{"token": ...}` for a user and service, or `{"error": ..., "detail": ...}` (`invalid_request`,
    `not_found`, `unreadable`, `unavailable`: worth trying again); the token is never logged."""
    # imported on the first invocation: the model, the key and the data access
    from pydantic import ValidationError

    from fip_core.problems import NotFoundError, UnavailableError
    from users.adapters.kms import UnreadableCredentialError, credential_cipher
    from users.dal.unit_of_work import users_repository
    from users.logic.credentials import reveal_credential
    from users.models.credentials import CredentialRequest

    try:
        request = CredentialRequest.model_validate(event)
    except ValidationError as error:
        return {"error": "invalid_request", "detail": str(error.errors(include_input=False))}
    try:
        with users_repository() as repo:
            token = reveal_credential(repo, credential_cipher(), request.user_id, request.service_id)
    except NotFoundError as missing:
        return {"error": "not_found", "detail": missing.detail}
    except UnreadableCredentialError as unreadable:
        obs.logger.warning(
            "credential unreadable", extra={"user_id": request.user_id, "service_id": request.service_id}
        )
        return {"error": "unreadable", "detail": unreadable.detail}
    except UnavailableError as unavailable:
        return {"error": "unavailable", "detail": unavailable.detail}
    obs.logger.info("credential revealed", extra={"user_id": request.user_id, "service_id": request.service_id})
    return {"token": token}


handler = task_handler(obs, reveal)

"""Internal, IAM-only: users' addresses and names, and the admins', for the notifications domain.

Not behind the HTTP API: only roles granted lambda:InvokeFunction on this function can call it.
"""

from __future__ import annotations

from typing import Any

from fip_core.observability import observability
from fip_core.tasks import task_handler
from users import DOMAIN

obs = observability(DOMAIN)


def contacts(event: dict[str, Any]) -> dict[str, Any]:
    """`{"contacts": [{"user_id", "email", "name"}]}` for `{"user_ids": [...], "admins": bool}`, or
    `{"error": "invalid_request", "detail": ...}`; addresses are never logged."""
    # imported on the first invocation: the models and the data access
    from pydantic import ValidationError

    from users.adapters.clock import system_clock
    from users.dal.unit_of_work import users_reading
    from users.logic.contacts import find_contacts
    from users.models.contacts import ContactsRequest

    try:
        request = ContactsRequest.model_validate(event)
    except ValidationError as error:
        return {"error": "invalid_request", "detail": str(error.errors(include_input=False))}
    with users_reading() as repo:
        found = find_contacts(repo, request, system_clock())
    obs.logger.info("contacts found", extra={"asked": len(request.user_ids), "found": len(found.contacts)})
    return found.model_dump(mode="json")


handler = task_handler(obs, contacts)

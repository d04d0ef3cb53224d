"""The users domain as the directory of recipients, through its internal `contacts` function."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from fip_core import calls
from fip_core.declaration import InternalCall
from notifications import DOMAIN
from notifications.domain import Contact
from notifications.logic.ports import DirectoryUnavailableError


class _Contact(BaseModel):
    user_id: str
    email: str
    name: str | None = None


class _Contacts(BaseModel):
    contacts: list[_Contact]


class UsersDirectory:
    """Asks the users domain, through the call the calling function declared."""

    def __init__(self, call: InternalCall) -> None:
        self.call = call

    def contacts(self, user_ids: list[str], *, admins: bool) -> list[Contact]:
        """The active accounts among `user_ids`, plus the active admins when `admins`."""
        try:
            answer: Any = calls.invoke(DOMAIN, self.call, {"user_ids": user_ids, "admins": admins})
            found = _Contacts.model_validate(answer)
        except (calls.InternalCallError, ValidationError) as error:
            raise DirectoryUnavailableError(f"users/contacts: {type(error).__name__}") from error
        return [Contact(user_id=c.user_id, email=c.email, name=c.name) for c in found.contacts]

"""Who to write to: the addresses and names the notifications domain asks the users domain for."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MAX_CONTACTS_ASKED = 100


class ContactsRequest(BaseModel):
    """The users to write to, by id, and/or every active admin."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user_ids: list[str] = Field(
        default_factory=list, max_length=MAX_CONTACTS_ASKED, description="Users by id (their Cognito `sub`)."
    )
    admins: bool = Field(default=False, description="Also every active account holding the admin role.")


class Contact(BaseModel):
    """An active account's address and name; unknown, unconfirmed and disabled accounts are left out."""

    user_id: str
    email: str
    name: str | None


class Contacts(BaseModel):
    """The contacts found, each once, in no promised order."""

    contacts: list[Contact]

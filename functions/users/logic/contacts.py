"""The contacts of users, for the domains that write to them (notifications)."""

from __future__ import annotations

from datetime import datetime

from fip_core.access import Role
from users.dal.repository import UsersRepository
from users.domain import UserStatus
from users.models.contacts import Contact, Contacts, ContactsRequest


def find_contacts(repo: UsersRepository, request: ContactsRequest, now: datetime) -> Contacts:
    """The active accounts among the users asked for, plus every active admin when asked: nobody who
    has not confirmed their address, or was disabled, is written to."""
    wanted = dict.fromkeys(request.user_ids)
    if request.admins:
        wanted.update(dict.fromkeys(sorted(repo.grants.active_holders(Role.ADMIN, now))))
    found = []
    for user_id in wanted:
        user = repo.users.get(user_id)
        if user is not None and user.status is UserStatus.ACTIVE:
            found.append(Contact(user_id=user.id, email=user.email, name=user.name))
    return Contacts(contacts=found)

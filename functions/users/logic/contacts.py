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
    users = repo.users.many(wanted)  # one query; the answer keeps the order asked
    found = [users[user_id] for user_id in wanted if user_id in users]
    return Contacts(
        contacts=[Contact(user_id=u.id, email=u.email, name=u.name) for u in found if u.status is UserStatus.ACTIVE]
    )

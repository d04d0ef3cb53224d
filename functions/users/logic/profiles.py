"""Profiles: one's own, and the user list for admins."""

from __future__ import annotations

from datetime import datetime

from fip_core.access import Principal
from fip_core.audit import audit_record
from fip_core.problems import NotFoundError
from users.dal.repository import UsersRepository
from users.models.profiles import ProfileUpdate, UserPage, UserProfile
from users.settings import DOMAIN


def profile(repo: UsersRepository, user_id: str, now: datetime) -> UserProfile:
    """A user's profile with the roles in force now."""
    found = repo.user(user_id, now)
    if found is None:
        raise NotFoundError(f"no user {user_id}")
    return found


def update_profile(repo: UsersRepository, principal: Principal, changes: ProfileUpdate, now: datetime) -> UserProfile:
    """Change one's own profile."""
    if not repo.update_user(principal.user_id, changes.model_dump(exclude_unset=True), now):
        raise NotFoundError(f"no user {principal.user_id}")
    repo.audit(audit_record(DOMAIN, "profile_updated", principal, now, target_type="user", target_id=principal.user_id))
    return profile(repo, principal.user_id, now)


def find_users(repo: UsersRepository, q: str | None, limit: int, offset: int, now: datetime) -> UserPage:
    """A page of users."""
    items, total = repo.find_users(q, limit, offset, now)
    return UserPage(items=items, total=total, limit=limit, offset=offset)

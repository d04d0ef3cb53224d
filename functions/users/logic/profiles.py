"""Profiles: one's own, and the user list for admins."""

from __future__ import annotations

from datetime import datetime

from fip_core.access import Principal
from fip_core.problems import NotFoundError
from users.dal.repository import UsersRepository
from users.domain import StoredGrant, User
from users.logic.roles import as_grant
from users.logic.trail import record_user_action
from users.models.profiles import ProfileUpdate, UserPage, UserProfile


def as_profile(user: User, grants: list[StoredGrant]) -> UserProfile:
    """The API's shape of a user with the grants in force."""
    return UserProfile(
        id=user.id, email=user.email, name=user.name, institution=user.institution, department=user.department,
        country=user.country, status=user.status, created_at=user.created_at, updated_at=user.updated_at,
        roles=[as_grant(grant) for grant in grants],
    )  # fmt: skip


def profile(repo: UsersRepository, user_id: str, now: datetime) -> UserProfile:
    """A user's profile with the roles in force now."""
    user = repo.users.get(user_id)
    if user is None:
        raise NotFoundError(f"no user {user_id}")
    return as_profile(user, repo.grants.in_force([user_id], now)[user_id])


def update_profile(repo: UsersRepository, principal: Principal, changes: ProfileUpdate, now: datetime) -> UserProfile:
    """Change one's own profile."""
    if repo.users.update_profile(principal.user_id, changes.model_dump(exclude_unset=True), now) is None:
        raise NotFoundError(f"no user {principal.user_id}")
    record_user_action(repo, "profile_updated", principal, principal.user_id, now)
    return profile(repo, principal.user_id, now)


def find_users(repo: UsersRepository, q: str | None, limit: int, offset: int, now: datetime) -> UserPage:
    """A page of users, by email, with the roles each holds now (read in one query for the page)."""
    page = repo.users.find(q, limit, offset)
    grants = repo.grants.in_force([user.id for user in page.items], now)
    items = [as_profile(user, grants[user.id]) for user in page.items]
    return UserPage(items=items, total=page.total, limit=limit, offset=offset)

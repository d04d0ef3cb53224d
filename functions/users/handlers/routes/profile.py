"""Routes of one's own profile."""

from __future__ import annotations

from fip_core.http import answers, current_principal, route_group
from users.adapters.clock import system_clock
from users.dal.unit_of_work import users_reading, users_repository
from users.handlers.routes.common import (
    PROFILE,
)
from users.logic import profiles
from users.models.profiles import ProfileUpdate, UserProfile

router = route_group()


@router.get("/me", summary="Your profile and roles", tags=[PROFILE], responses=answers(200, UserProfile, 401, 404))
def me() -> UserProfile:
    with users_reading() as repo:
        return profiles.profile(repo, current_principal(router).user_id, system_clock())


@router.patch("/me", summary="Change your profile", tags=[PROFILE], responses=answers(200, UserProfile, 401, 404))
def update_me(body: ProfileUpdate) -> UserProfile:
    with users_repository() as repo:
        return profiles.update_profile(repo, current_principal(router), body, system_clock())

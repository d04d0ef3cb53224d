"""Routes of administration: users, their status and roles, and the audit log."""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from fip_core.http import answers, current_principal, json_response, route_group, source_ip
from users.adapters.clock import system_clock
from users.adapters.cognito import cognito_accounts
from users.dal.unit_of_work import users_reading
from users.domain import AuditQuery
from users.handlers.routes import common
from users.handlers.routes.common import (
    ADMIN,
)
from users.logic import accounts, audit, profiles, roles
from users.models.audit import AuditPage
from users.models.profiles import AccountStatusChange, UserPage, UserProfile
from users.models.roles import RoleGrant, RoleGrantCreate, RoleGrantList

router = route_group()


@router.get("/users", summary="Find users", tags=[ADMIN], responses=answers(200, UserPage, 401, 403))
def find_users(
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> UserPage:
    with users_reading() as repo:
        return profiles.find_users(repo, q, limit, offset, system_clock())


@router.get("/users/<user_id>", summary="A user", tags=[ADMIN], responses=answers(200, UserProfile, 401, 403, 404))
def get_user(user_id: Annotated[str, Path(max_length=64)]) -> UserProfile:
    with users_reading() as repo:
        return profiles.profile(repo, user_id, system_clock())


@router.put(
    "/users/<user_id>/status",
    summary="Disable an account, or enable it again (needs a signed-in session)",
    tags=[ADMIN],
    responses=answers(200, UserProfile, 401, 403, 404, 409),
)
def change_status(user_id: Annotated[str, Path(max_length=64)], body: AccountStatusChange) -> UserProfile:
    return accounts.change_status(
        common.STORE, cognito_accounts(), user_id, body, current_principal(router), source_ip(router), system_clock
    )


@router.get(
    "/users/<user_id>/roles",
    summary="A user's role grants",
    tags=[ADMIN],
    responses=answers(200, RoleGrantList, 401, 403, 404),
)
def user_roles(user_id: Annotated[str, Path(max_length=64)]) -> RoleGrantList:
    with users_reading() as repo:
        return roles.list_roles(repo, user_id)


@router.post(
    "/users/<user_id>/roles",
    summary="Grant a role (admin and service_admin only to accounts with two-factor sign-in)",
    tags=[ADMIN],
    responses=answers(201, RoleGrant, 401, 403, 404, 409),
)
def grant_role(user_id: Annotated[str, Path(max_length=64)], body: RoleGrantCreate) -> Response[RoleGrant]:
    grant = roles.grant_role(common.STORE, cognito_accounts(), user_id, body, current_principal(router), system_clock())
    return json_response(grant, HTTPStatus.CREATED)


@router.delete(
    "/users/<user_id>/roles/<grant_id>",
    summary="Revoke a role grant (never the platform's last admin)",
    tags=[ADMIN],
    responses=answers(200, RoleGrant, 401, 403, 404, 409),
)
def revoke_role(
    user_id: Annotated[str, Path(max_length=64)], grant_id: Annotated[str, Path(max_length=64)]
) -> RoleGrant:
    return roles.revoke_role(
        common.STORE, cognito_accounts(), user_id, grant_id, current_principal(router), system_clock()
    )


@router.get(
    "/audit-log",
    summary="Sign-ins and admin actions of every domain, newest first",
    tags=[ADMIN],
    responses=answers(200, AuditPage, 401, 403),
)
def audit_log(
    actor_id: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    domain: Annotated[str | None, Query(max_length=32)] = None,
    since: Annotated[datetime | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> AuditPage:
    query = AuditQuery(actor_id=actor_id, action=action, domain=domain, since=since, limit=limit, offset=offset)
    with users_reading() as repo:
        return audit.find_audit(repo, query)

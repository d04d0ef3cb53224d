"""Granting and revoking roles; unscoped roles are mirrored as groups of the Cognito pool."""

from __future__ import annotations

from datetime import datetime

from fip_core.access import Principal, Role
from fip_core.audit import audit_record
from fip_core.problems import NotFoundError, UnprocessableError
from users.adapters.cognito import CognitoAccounts
from users.dal.repository import UsersRepository
from users.logic.authentication import ACTIVE
from users.models.roles import RoleGrant, RoleGrantCreate, RoleGrantList
from users.settings import DOMAIN


def add_grant(
    repo: UsersRepository,
    accounts: CognitoAccounts,
    user_id: str,
    email: str,
    role: Role,
    now: datetime,
    *,
    service_id: str | None = None,
    expires_at: datetime | None = None,
    granted_by: str | None = None,
) -> RoleGrant:
    """Grant a role; one for all services is mirrored as the user's membership of the pool group."""
    grant = repo.add_grant(user_id, role, service_id, expires_at, granted_by, now)
    if service_id is None:
        accounts.set_group(email, role.value, member=True)
    return grant


def grant_role(
    repo: UsersRepository,
    accounts: CognitoAccounts,
    user_id: str,
    body: RoleGrantCreate,
    admin: Principal,
    now: datetime,
) -> RoleGrant:
    """Grant a role to a user, optionally for one service and until a moment."""
    account = repo.user_status(user_id)
    if account is None:
        raise NotFoundError(f"no user {user_id}")
    if body.expires_at is not None and (body.expires_at.tzinfo is None or body.expires_at <= now):
        raise UnprocessableError("expires_at must be a future moment with a time zone, e.g. 2027-01-31T00:00:00Z")
    service_id = str(body.service_id) if body.service_id else None
    grant = add_grant(
        repo, accounts, user_id, account[1], body.role, now,
        service_id=service_id, expires_at=body.expires_at, granted_by=admin.user_id,
    )  # fmt: skip
    repo.audit(
        audit_record(
            DOMAIN, "role_granted", admin, now, target_type="user", target_id=user_id,
            details={"grant_id": grant.id, "role": body.role.value, "service_id": service_id,
                     "expires_at": body.expires_at.isoformat() if body.expires_at else None},
        )
    )  # fmt: skip
    return grant


def revoke_role(
    repo: UsersRepository, accounts: CognitoAccounts, user_id: str, grant_id: str, admin: Principal, now: datetime
) -> RoleGrant:
    """Revoke a grant; the pool group goes when no unscoped grant of that role is left."""
    grant = repo.revoke_grant(user_id, grant_id, now)
    account = repo.user_status(user_id)
    if grant is None or account is None:
        raise NotFoundError(f"user {user_id} has no role grant {grant_id}")
    if grant.service_id is None and not repo.holds_unscoped(user_id, grant.role, now):
        accounts.set_group(account[1], grant.role.value, member=False)
    repo.audit(
        audit_record(
            DOMAIN, "role_revoked", admin, now, target_type="user", target_id=user_id,
            details={"grant_id": grant_id, "role": grant.role.value, "service_id": grant.service_id},
        )
    )  # fmt: skip
    return grant


def list_roles(repo: UsersRepository, user_id: str) -> RoleGrantList:
    """Every grant of a user, newest first."""
    if repo.user_status(user_id) is None:
        raise NotFoundError(f"no user {user_id}")
    return RoleGrantList(items=repo.grants(user_id))


def bootstrap_admin(
    repo: UsersRepository, accounts: CognitoAccounts, email: str, password: str | None, now: datetime
) -> str:
    """Create the first admin; refused once anybody holds the admin role. Answer the user id."""
    if repo.an_admin_exists(now):
        raise UnprocessableError("an admin exists already; admins grant further roles through the API")
    user_id = repo.user_id_by_email(email)
    if user_id is None:
        user_id = accounts.create_confirmed_user(email, password)
        repo.add_user(user_id, email, {}, ACTIVE, now)
    add_grant(repo, accounts, user_id, email, Role.ADMIN, now)
    repo.audit(
        audit_record(
            DOMAIN, "admin_bootstrapped", None, now, target_type="user", target_id=user_id, details={"email": email}
        )
    )
    return user_id

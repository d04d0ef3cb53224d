"""Granting and revoking roles; unscoped roles are mirrored as groups of the Cognito pool.

Rules: the admin and service_admin roles go only to accounts that sign in with an authenticator
app; the platform never loses its last active admin (a revocation or a disabling that would leave
none is refused); revoking a grant twice changes nothing. Cognito is called outside the database
transactions: what it must confirm first (the second factor) before, the group mirror after the
commit (a mirror that fails is logged and put right by the next change of that role)."""

from __future__ import annotations

import logging
from datetime import datetime

from fip_core.access import Principal, Role
from fip_core.problems import ConflictError, NotFoundError, UnprocessableError
from users.dal.repository import UsersRepository
from users.domain import PRIVILEGED_ROLES, NewProfile, StoredGrant, UserStatus
from users.logic.callers import require_session
from users.logic.ports import Directory, Transactions
from users.logic.trail import record_user_action
from users.models.roles import RoleGrant, RoleGrantCreate, RoleGrantList

log = logging.getLogger(__name__)

MFA_NEEDED_TO_HOLD = (
    "{email} does not sign in with an authenticator app, which the {role} role needs. Ask them to turn it on "
    "(POST /me/mfa/totp, then POST /me/mfa/totp/verify with a code from the app) and grant the role again"
)
LAST_ADMIN = "the platform would be left without an active admin: grant the admin role to another account first"


def as_grant(grant: StoredGrant) -> RoleGrant:
    """The API's shape of a grant."""
    return RoleGrant(
        id=grant.id, role=grant.role, service_id=grant.service_id, expires_at=grant.expires_at,
        granted_by=grant.granted_by, granted_at=grant.granted_at, revoked_at=grant.revoked_at,
    )  # fmt: skip


def mirror_group(directory: Directory, email: str, role: Role, member: bool) -> None:
    """Mirror an unscoped role as membership of its pool group. Nothing the platform decides reads the
    groups, so a failure is logged rather than undoing the committed grant."""
    try:
        directory.set_group(email, role.value, member)
    except Exception:
        log.exception("the pool group %s could not be mirrored; the next change of the role puts it right", role)


def ensure_an_admin_remains(repo: UsersRepository, losing: str, now: datetime) -> None:
    """Refuse a change that takes the admin role from `losing` when no other active account holds it.

    The holders are read with a lock, so that two admins removing each other at once cannot both succeed."""
    holders = repo.grants.active_holders(Role.ADMIN, now, lock=True)
    if losing in holders and not holders - {losing}:
        raise ConflictError(LAST_ADMIN)


def grant_role(
    store: Transactions, directory: Directory, user_id: str, body: RoleGrantCreate, admin: Principal, now: datetime
) -> RoleGrant:
    """Grant a role to a user, optionally for one service and until a moment."""
    require_session(admin)
    if body.expires_at is not None and (body.expires_at.tzinfo is None or body.expires_at <= now):
        raise UnprocessableError("expires_at must be a future moment with a time zone, e.g. 2027-01-31T00:00:00Z")
    with store.transaction() as repo:
        user = repo.users.get(user_id)
    if user is None:
        raise NotFoundError(f"no user {user_id}")
    if body.role in PRIVILEGED_ROLES:
        record = directory.account(user.email)
        if record is None or not record.totp_enabled:
            raise ConflictError(MFA_NEEDED_TO_HOLD.format(email=user.email, role=body.role.value))
    service_id = str(body.service_id) if body.service_id else None
    with store.transaction() as repo:
        grant = repo.grants.add(user_id, body.role, service_id, body.expires_at, admin.user_id, now)
        record_user_action(
            repo, "role_granted", admin, user_id, now,
            details={"grant_id": grant.id, "role": body.role.value, "service_id": service_id,
                     "expires_at": body.expires_at.isoformat() if body.expires_at else None},
        )  # fmt: skip
    if service_id is None:
        mirror_group(directory, user.email, body.role, member=True)
    return as_grant(grant)


def revoke_role(
    store: Transactions, directory: Directory, user_id: str, grant_id: str, admin: Principal, now: datetime
) -> RoleGrant:
    """Revoke a grant; the pool group goes when no unscoped grant of that role is left. Revoking a grant
    revoked already answers it as it is and records nothing."""
    require_session(admin)
    with store.transaction() as repo:
        user, grant = repo.users.get(user_id), repo.grants.get(user_id, grant_id)
        if user is None or grant is None:
            raise NotFoundError(f"user {user_id} has no role grant {grant_id}")
        if grant.revoked_at is not None:
            return as_grant(grant)
        if grant.role is Role.ADMIN and grant.service_id is None and grant.in_force(now):
            ensure_an_admin_remains(repo, user_id, now)
        revoked = repo.grants.revoke(grant_id, now) or grant  # read in this very transaction: it is there
        still_holds = any(
            g.role is grant.role and g.service_id is None for g in repo.grants.in_force([user_id], now)[user_id]
        )
        record_user_action(
            repo, "role_revoked", admin, user_id, now,
            details={"grant_id": grant_id, "role": grant.role.value, "service_id": grant.service_id},
        )  # fmt: skip
    if grant.service_id is None and not still_holds:
        mirror_group(directory, user.email, grant.role, member=False)
    return as_grant(revoked)


def list_roles(repo: UsersRepository, user_id: str) -> RoleGrantList:
    """Every grant of a user, newest first."""
    if repo.users.get(user_id) is None:
        raise NotFoundError(f"no user {user_id}")
    return RoleGrantList(items=[as_grant(grant) for grant in repo.grants.of_user(user_id)])


def bootstrap_admin(store: Transactions, directory: Directory, email: str, password: str | None, now: datetime) -> str:
    """Create the first admin; refused once anybody holds the admin role. Answer the user id.

    The account is made in Cognito first; if the database then fails, running it again finds that
    account instead of failing on it. The new admin signs in and turns on two-factor sign-in before
    the role takes effect (the authorizer holds it back until then)."""
    with store.transaction() as repo:
        _refuse_a_second_bootstrap(repo, now)
        user = repo.users.by_email(email)
    if user is not None:
        user_id = user.id
    else:
        record = directory.account(email)
        user_id = record.user_id if record is not None else directory.create_confirmed_user(email, password)
    with store.transaction() as repo:
        _refuse_a_second_bootstrap(repo, now)
        if repo.users.get(user_id) is None:
            repo.users.add(user_id, email, NewProfile(), UserStatus.ACTIVE, now)
        repo.grants.add(user_id, Role.ADMIN, None, None, None, now)
        record_user_action(repo, "admin_bootstrapped", None, user_id, now, details={"email": email})
    mirror_group(directory, email, Role.ADMIN, member=True)
    return user_id


def _refuse_a_second_bootstrap(repo: UsersRepository, now: datetime) -> None:
    if repo.grants.anybody_holds(Role.ADMIN, now):
        raise UnprocessableError("an admin exists already; admins grant further roles through the API")

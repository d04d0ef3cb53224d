"""Admins disable an account and enable it again, in the Cognito pool and in the profile together.

Cognito is changed first, then the profile; if the profile cannot be changed, Cognito is put back
(compensated), so the two agree whichever side fails, and trying again converges. A disabled
account cannot sign in or refresh (Cognito), its sessions are ended, and the authorizer refuses its
tokens and personal API tokens (which work again once it is enabled) within its cache time."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from fip_core.access import Principal
from fip_core.problems import ConflictError, DomainError, NotFoundError, UnavailableError
from users.domain import User, UserStatus
from users.logic.callers import require_session
from users.logic.ports import Clock, Directory, Transactions
from users.logic.profiles import profile
from users.logic.roles import ensure_an_admin_remains
from users.logic.trail import record_user_action
from users.models.profiles import AccountStatusChange, UserProfile

log = logging.getLogger(__name__)

NOTHING_CHANGED = "the account could not be changed and nothing was: try again shortly"


def change_status(
    store: Transactions,
    directory: Directory,
    user_id: str,
    change: AccountStatusChange,
    admin: Principal,
    source_ip: str | None,
    clock: Clock,
) -> UserProfile:
    """Disable or enable an account."""
    require_session(admin)
    with store.transaction() as repo:
        user = repo.users.get(user_id)
    if user is None:
        raise NotFoundError(f"no user {user_id}")
    steps = _StatusChange(store, directory, user, change.reason, admin, source_ip, clock)
    if change.status is UserStatus.DISABLED:
        steps.disable()
    else:
        steps.enable()
    with store.transaction() as repo:
        return profile(repo, user_id, clock())


@dataclass(frozen=True)
class _StatusChange:
    store: Transactions
    directory: Directory
    user: User
    reason: str | None
    admin: Principal
    source_ip: str | None
    clock: Clock

    def disable(self) -> None:
        user = self.user
        if user.id == self.admin.user_id:
            raise ConflictError("you cannot disable your own account; ask another admin")
        with self.store.transaction() as repo:
            ensure_an_admin_remains(repo, user.id, self.clock())
        self.directory.disable(user.email)
        self._keep_or_undo(UserStatus.DISABLED, "account_disabled", lambda: self.directory.enable(user.email))
        # sessions end once the change is kept: a failure here leaves refresh tokens Cognito refuses anyway
        try:
            self.directory.sign_out(user.email)
        except DomainError:
            log.warning("a disabled account's sessions could not be signed out; Cognito refuses them while disabled")

    def enable(self) -> None:
        user = self.user
        if user.status is UserStatus.UNCONFIRMED:
            raise ConflictError("the account has not confirmed its email; only a disabled account can be enabled")

        def undo() -> None:
            if user.status is UserStatus.DISABLED:  # it was disabled before: disabled it stays
                self.directory.disable(user.email)

        self.directory.enable(user.email)
        self._keep_or_undo(UserStatus.ACTIVE, "account_enabled", undo)

    def _keep_or_undo(self, status: UserStatus, action: str, undo: Callable[[], None]) -> None:
        """Keep the new status in the profile, or undo what was done in Cognito before it and say so."""
        try:
            now = self.clock()
            with self.store.transaction() as repo:
                if status is UserStatus.DISABLED:
                    ensure_an_admin_remains(repo, self.user.id, now)  # again: another admin may have gone meanwhile
                current = repo.users.get(self.user.id)
                if current is not None and current.status is not status:
                    repo.users.set_status(self.user.id, status, now)
                    if status is UserStatus.DISABLED:
                        repo.users.revoke_sessions(self.user.id, now)
                    record_user_action(
                        repo, action, self.admin, self.user.id, now, source_ip=self.source_ip,
                        details={"reason": self.reason},
                    )  # fmt: skip
        except Exception as error:
            try:
                undo()
            except Exception:
                log.exception("Cognito could not be put back: the account and its profile disagree until the next try")
            if isinstance(error, DomainError):
                raise
            raise UnavailableError(NOTHING_CHANGED) from error

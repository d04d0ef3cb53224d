"""The users logic with fakes of its ports (tests/support/users_fakes.py) that raise the errors the
real adapters raise: what happens when Cognito or the database fails half-way."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from pydantic import SecretStr

from fip_core.access import Principal, Role
from fip_core.problems import ConflictError, UnavailableError
from tests.support.stores import FailingWrites
from tests.support.users_fakes import NOW, FakePool, FakeVerifier, MemoryStore
from users.domain import NewProfile, UserStatus
from users.logic import accounts, passwords, registration, roles
from users.logic.authentication import HELD_BACK_UNCHECKED, HELD_BACK_WITHOUT_MFA, Authenticator
from users.models.accounts import ConfirmSignUp, ResetPassword, SignUp
from users.models.profiles import AccountStatusChange
from users.models.roles import RoleGrantCreate

ADMIN = Principal(user_id="the-admin", email="admin@example.org", method="cognito")
PASSWORD = SecretStr("Correct-horse-42")


def clock():
    return NOW


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def pool() -> FakePool:
    return FakePool()


def an_account(store, pool, email="someone@example.org", *, totp=False, role=Role.RESEARCHER):
    record = pool.add(email, totp=totp)
    with store.transaction() as repo:
        repo.users.add(record.user_id, email, NewProfile(), UserStatus.ACTIVE, NOW)
        repo.grants.add(record.user_id, role, None, None, None, NOW)
    return record


def status_of(store, user_id):
    with store.transaction() as repo:
        return repo.users.get(user_id).status


DISABLE = AccountStatusChange(status=UserStatus.DISABLED)


def test_disabling_puts_cognito_back_when_the_database_fails(store, pool):
    account = an_account(store, pool)
    with pytest.raises(UnavailableError, match="nothing was"):
        accounts.change_status(FailingWrites(store), pool, account.user_id, DISABLE, ADMIN, None, clock)
    assert pool.calls == ["disable", "enable"]
    assert pool.accounts[account.email].enabled
    assert status_of(store, account.user_id) is UserStatus.ACTIVE


def test_a_compensation_that_fails_too_still_says_nothing_was_kept(store, pool, caplog):
    account = an_account(store, pool)
    pool.fail["enable"] = UnavailableError("the sign-in service did not answer; try again shortly")
    with pytest.raises(UnavailableError, match="nothing was"):
        accounts.change_status(FailingWrites(store), pool, account.user_id, DISABLE, ADMIN, None, clock)
    assert "could not be put back" in caplog.text
    # the profile stays active, Cognito disabled: the safe disagreement, which the next try puts right
    assert (status_of(store, account.user_id), pool.accounts[account.email].enabled) == (UserStatus.ACTIVE, False)
    accounts.change_status(store, pool, account.user_id, DISABLE, ADMIN, None, clock)
    assert status_of(store, account.user_id) is UserStatus.DISABLED


def test_when_cognito_refuses_the_profile_is_not_touched(store, pool):
    account = an_account(store, pool)
    pool.fail["disable"] = UnavailableError("the sign-in service did not answer; try again shortly")
    with pytest.raises(UnavailableError, match="did not answer"):
        accounts.change_status(store, pool, account.user_id, DISABLE, ADMIN, None, clock)
    assert pool.calls == ["disable"]
    assert status_of(store, account.user_id) is UserStatus.ACTIVE


def test_a_failed_sign_out_after_disabling_keeps_the_account_disabled(store, pool):
    account = an_account(store, pool)
    pool.fail["sign_out"] = UnavailableError("the sign-in service did not answer; try again shortly")
    accounts.change_status(store, pool, account.user_id, DISABLE, ADMIN, None, clock)
    assert status_of(store, account.user_id) is UserStatus.DISABLED


def test_the_last_active_admin_cannot_be_disabled(store, pool):
    admin = an_account(store, pool, "only-admin@example.org", totp=True, role=Role.ADMIN)
    with pytest.raises(ConflictError, match="without an active admin"):
        accounts.change_status(store, pool, admin.user_id, DISABLE, ADMIN, None, clock)
    assert pool.calls == []  # refused before Cognito was asked


def test_a_sign_up_the_database_lost_answers_the_same_and_confirming_repairs_it(store, pool):
    body = SignUp(email="new@example.org", password=PASSWORD, name="New", country="GH")
    answer = registration.sign_up(FailingWrites(store), pool, body, None, clock)
    assert answer.message == registration.SIGN_UP_ANSWER
    with store.transaction() as repo:
        assert repo.users.by_email("new@example.org") is None
    confirm = ConfirmSignUp(email="new@example.org", code="123456")
    registration.confirm_sign_up(store, pool, pool, confirm, Role.RESEARCHER, None, clock)
    with store.transaction() as repo:
        user = repo.users.by_email("new@example.org")
        assert user is not None
        assert (user.id, user.status, user.name) == (pool.accounts["new@example.org"].user_id, UserStatus.ACTIVE, "New")
        assert [grant.role for grant in repo.grants.in_force([user.id], NOW)[user.id]] == [Role.RESEARCHER]


def test_a_taken_email_gets_the_same_answer_and_a_new_code_only(store, pool):
    an_account(store, pool, "taken@example.org")
    body = SignUp(email="taken@example.org", password=PASSWORD)
    assert registration.sign_up(store, pool, body, None, clock).message == registration.SIGN_UP_ANSWER
    assert pool.calls == ["sign_up", "resend_code"]


def test_privileged_roles_need_a_second_factor_and_a_failed_mirror_keeps_the_grant(store, pool, caplog):
    plain, guarded = (
        an_account(store, pool, "plain@example.org"),
        an_account(store, pool, "guarded@example.org", totp=True),
    )
    with pytest.raises(ConflictError, match="authenticator app"):
        roles.grant_role(store, pool, plain.user_id, RoleGrantCreate(role=Role.SERVICE_ADMIN), ADMIN, NOW)
    pool.fail["set_group"] = UnavailableError("the sign-in service did not answer; try again shortly")
    grant = roles.grant_role(store, pool, guarded.user_id, RoleGrantCreate(role=Role.ADMIN), ADMIN, NOW)
    assert grant.role is Role.ADMIN
    assert "could not be mirrored" in caplog.text
    with pytest.raises(ConflictError):
        roles.grant_role(store, pool, plain.user_id, RoleGrantCreate(role=Role.SERVICE_ADMIN), ADMIN, NOW)


def test_an_api_token_caller_cannot_grant(store, pool):
    account = an_account(store, pool)
    by_token = Principal(user_id="the-admin", method="api_token", token_id="t")
    with pytest.raises(Exception, match="signed-in session"):
        roles.grant_role(store, pool, account.user_id, RoleGrantCreate(role=Role.VIEWER), by_token, NOW)
    assert pool.calls == []


def test_a_new_password_whose_sessions_could_not_all_end_says_what_to_do(store, pool):
    account = an_account(store, pool)
    pool.fail["sign_out"] = UnavailableError("the sign-in service did not answer; try again shortly")
    body = ResetPassword(email=account.email, code="123456", new_password=SecretStr("Brand-new-password-7"))
    with pytest.raises(UnavailableError, match="change it once more"):
        passwords.reset_password(store, pool, pool, body, None, clock)


def authenticator(store, pool, claims):
    return Authenticator(store, FakeVerifier(claims), pool, clock)


def test_the_authorizer_holds_back_privileged_roles_without_a_second_factor(store, pool):
    admin = an_account(store, pool, "admin@example.org", role=Role.ADMIN)
    decide = authenticator(store, pool, {"jwt": {"sub": admin.user_id, "iat": int(NOW.timestamp())}})
    principal = decide.principal("Bearer jwt")
    assert principal is not None
    assert (principal.grants, principal.held_back) == ([], HELD_BACK_WITHOUT_MFA)
    pool.accounts[admin.email] = replace(admin, totp_enabled=True)  # the user turned it on
    assert [g.role for g in decide.principal("Bearer jwt").grants] == [Role.ADMIN]
    pool.fail["account"] = UnavailableError("the sign-in service did not answer; try again shortly")
    unchecked = decide.principal("Bearer jwt")
    assert unchecked is not None
    assert (unchecked.grants, unchecked.held_back) == ([], HELD_BACK_UNCHECKED)


def test_the_authorizer_refuses_tokens_older_than_the_last_sign_out_and_disabled_accounts(store, pool):
    account = an_account(store, pool)
    issued = int(NOW.timestamp())
    decide = authenticator(store, pool, {"old": {"sub": account.user_id, "iat": issued - 1},
                                         "same-second": {"sub": account.user_id, "iat": issued}})  # fmt: skip
    assert decide.principal("Bearer old") is not None
    with store.transaction() as repo:
        repo.users.revoke_sessions(account.user_id, NOW + timedelta(microseconds=500))
    assert decide.principal("Bearer old") is None
    assert decide.principal("Bearer same-second") is not None
    with store.transaction() as repo:
        repo.users.set_status(account.user_id, UserStatus.DISABLED, NOW)
    assert decide.principal("Bearer same-second") is None
    assert decide.principal("Bearer not-a-token") is None
    assert decide.principal("Basic abc") is None

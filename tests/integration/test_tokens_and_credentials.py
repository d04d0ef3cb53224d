"""Personal API tokens and stored external service tokens: shown once, revocable, encrypted,
never leaked, each user's own."""

import io
import logging
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from fip_core.observability import observability
from local_platform.events import lambda_context
from tests.support.accounts import sign_up
from tests.support.api import authorize, invoke_api
from users.dal.tables import ApiTokenRow, ExternalCredentialRow
from users.dal.unit_of_work import users_repository
from users.handlers import credentials as credentials_function

pytestmark = pytest.mark.usefixtures("platform")
SERVICE = str(uuid.uuid4())


def test_an_api_token_is_shown_once_and_works_until_revoked():
    account = sign_up()
    created = invoke_api(
        "POST", "/me/api-tokens", body={"name": "nightly pipeline", "expires_in_days": 30}, token=account.access_token
    )
    assert created.status == 201, created.body
    token = created.body["token"]
    assert token.startswith(f"fip_{created.body['id']}_")
    assert (datetime.fromisoformat(created.body["expires_at"]) - datetime.now(UTC)).days in (29, 30)
    listed = invoke_api("GET", "/me/api-tokens", token=account.access_token).body["items"]
    assert [t["name"] for t in listed] == ["nightly pipeline"]
    assert token not in str(listed)
    assert "token" not in listed[0]
    me = invoke_api("GET", "/me", token=token)
    assert me.status == 200
    assert me.body["id"] == account.user_id
    assert invoke_api("GET", "/me/api-tokens", token=token).body["items"][0]["last_used_at"] is not None
    assert invoke_api("DELETE", f"/me/api-tokens/{created.body['id']}", token=account.access_token).status == 200
    assert invoke_api("GET", "/me", token=token).status == 403


def test_expired_and_tampered_api_tokens_are_refused():
    account = sign_up()
    token = invoke_api("POST", "/me/api-tokens", body={"name": "t"}, token=account.access_token).body["token"]
    token_id, secret = token.removeprefix("fip_").split("_", 1)
    tampered = f"fip_{token_id}_{secret[:-1]}{'A' if secret[-1] != 'A' else 'B'}"
    assert authorize(tampered) == {"isAuthorized": False}
    assert authorize(f"fip_{'0' * 16}_{secret}") == {"isAuthorized": False}
    assert authorize(token)["isAuthorized"] is True
    with users_repository() as repo:
        row = repo.session.get(ApiTokenRow, token_id)
        assert row is not None
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    assert authorize(token) == {"isAuthorized": False}


def test_a_token_lives_at_most_the_allowed_days():
    account = sign_up()
    answer = invoke_api(
        "POST", "/me/api-tokens", body={"name": "forever", "expires_in_days": 3000}, token=account.access_token
    )
    assert answer.status == 422
    assert "at most 365 days" in answer.body["detail"]


def test_one_user_cannot_revoke_or_see_another_users_tokens():
    owner, other = sign_up(), sign_up()
    created = invoke_api("POST", "/me/api-tokens", body={"name": "mine"}, token=owner.access_token).body
    attempt = invoke_api("DELETE", f"/me/api-tokens/{created['id']}", token=other.access_token)
    missing = invoke_api("DELETE", "/me/api-tokens/ffffffffffffffff", token=other.access_token)
    assert attempt.status == missing.status == 404
    assert attempt.body["detail"] == missing.body["detail"].replace("ffffffffffffffff", created["id"])
    assert invoke_api("GET", "/me/api-tokens", token=other.access_token).body["items"] == []
    assert invoke_api("GET", "/me", token=created["token"]).body["id"] == owner.user_id


def test_a_stored_service_token_is_encrypted_listed_without_its_value_and_revealed_only_internally():
    owner, other = sign_up(), sign_up()
    secret = "michigan-jwt-" + uuid.uuid4().hex
    stored = invoke_api("PUT", f"/me/credentials/{SERVICE}", body={"token": secret}, token=owner.access_token)
    assert stored.status == 200, stored.body
    assert secret not in str(stored.body)
    listed = invoke_api("GET", "/me/credentials", token=owner.access_token).body["items"]
    assert [c["service_id"] for c in listed] == [SERVICE]
    assert secret not in str(listed)
    assert invoke_api("GET", "/me/credentials", token=other.access_token).body["items"] == []
    with users_repository() as repo:
        row = repo.session.query(ExternalCredentialRow).one()
        assert secret.encode() not in row.ciphertext
    revealed = credentials_function.handler(
        {"user_id": owner.user_id, "service_id": SERVICE}, lambda_context("users-credentials")
    )
    assert revealed == {"token": secret}
    for user_id, service_id in ((other.user_id, SERVICE), (owner.user_id, str(uuid.uuid4()))):
        answer = credentials_function.handler(
            {"user_id": user_id, "service_id": service_id}, lambda_context("users-credentials")
        )
        assert answer["error"] == "not_found"
    assert (
        credentials_function.handler({"user": "x"}, lambda_context("users-credentials"))["error"] == "invalid_request"
    )


def test_a_ciphertext_moved_to_another_user_does_not_decrypt():
    owner, thief = sign_up(), sign_up()
    invoke_api("PUT", f"/me/credentials/{SERVICE}", body={"token": "owner-secret-token"}, token=owner.access_token)
    invoke_api("PUT", f"/me/credentials/{SERVICE}", body={"token": "thief-own-token"}, token=thief.access_token)
    with users_repository() as repo:
        rows = {row.user_id: row for row in repo.session.query(ExternalCredentialRow).all()}
        rows[thief.user_id].ciphertext = rows[owner.user_id].ciphertext
    refused = credentials_function.reveal({"user_id": thief.user_id, "service_id": SERVICE})
    assert refused["error"] == "unreadable"
    assert "owner-secret-token" not in str(refused)


def test_replacing_and_forgetting_a_stored_token():
    account = sign_up()
    invoke_api("PUT", f"/me/credentials/{SERVICE}", body={"token": "first-token"}, token=account.access_token)
    invoke_api("PUT", f"/me/credentials/{SERVICE}", body={"token": "second-token"}, token=account.access_token)
    assert credentials_function.reveal({"user_id": account.user_id, "service_id": SERVICE}) == {"token": "second-token"}
    assert invoke_api("DELETE", f"/me/credentials/{SERVICE}", token=account.access_token).status == 204
    assert invoke_api("DELETE", f"/me/credentials/{SERVICE}", token=account.access_token).status == 404


@pytest.fixture
def domain_logs(caplog):
    """Everything the domains log, as the JSON lines Powertools writes (its loggers do not propagate)."""
    caplog.set_level(logging.INFO)  # what runs in the cloud; botocore's DEBUG dumps request bodies by design
    buffer = io.StringIO()
    attached = []
    for domain in ("users", "registry"):
        logger = observability(domain).logger
        handler = logging.StreamHandler(buffer)
        handler.setFormatter(logger.registered_formatter)
        logger._logger.addHandler(handler)  # noqa: SLF001 - the logging.Logger Powertools writes through
        logger._logger.setLevel(logging.DEBUG)  # noqa: SLF001
        attached.append((logger, handler))
    yield lambda: buffer.getvalue() + caplog.text
    for logger, handler in attached:
        logger._logger.removeHandler(handler)  # noqa: SLF001
        logger._logger.setLevel(logging.WARNING)  # noqa: SLF001


def test_secrets_never_reach_the_logs(domain_logs, capsys):
    password = "Secret-password-99"
    account = sign_up(password=password)
    api_token = invoke_api("POST", "/me/api-tokens", body={"name": "x"}, token=account.access_token).body["token"]
    invoke_api("PUT", f"/me/credentials/{SERVICE}", body={"token": "service-token-xyz-123"}, token=api_token)
    credentials_function.handler(
        {"user_id": account.user_id, "service_id": SERVICE}, lambda_context("users-credentials")
    )
    invoke_api("POST", "/auth/sign-in", body={"email": account.email, "password": "Wrong-password-99"}, principal=None)
    output = capsys.readouterr()
    logged = domain_logs() + output.out + output.err
    assert "credential revealed" in logged  # the logs were captured: the absence below means something
    for secret in (
        password,
        api_token,
        api_token.split("_", 2)[2],
        "service-token-xyz-123",
        account.access_token,
        "Wrong-password-99",
    ):
        assert secret not in logged

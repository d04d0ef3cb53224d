"""The authorizer against forged and misused tokens: expired, another audience, another issuer,
`alg: none`, HMAC signed with the public key, a tampered payload, a foreign key, an unknown key id,
a revoked API token, and an account that is gone."""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.support.accounts import sign_up
from tests.support.api import authorize, invoke_api
from tests.support.tokens import access_claims, forge, moto_signing_key
from users.dal.unit_of_work import users_repository
from users.domain import UserStatus

pytestmark = pytest.mark.usefixtures("platform")


def claims_of(account):
    return access_claims(account.user_id)


def b64(part):
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


def test_a_well_formed_token_of_the_pool_is_accepted():
    account = sign_up()
    assert authorize(forge(claims_of(account)))["isAuthorized"] is True  # the forgery helper itself is sound
    answer = authorize(account.access_token)
    assert answer["isAuthorized"] is True
    assert answer["context"]["user_id"] == account.user_id


def _hmac_with_public_key(claims, account, other):
    # the classic confusion: HMAC keyed with the public key (PyJWT refuses to make one, so by hand)
    public_pem = moto_signing_key()[0].public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    signed = f"{b64({'alg': 'HS256', 'typ': 'JWT', 'kid': moto_signing_key()[1]})}.{b64(claims)}"
    mac = hmac.new(public_pem, signed.encode(), hashlib.sha256).digest()
    return f"{signed}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def _tampered(claims, account, other):
    header, _, signature = account.access_token.split(".")
    return f"{header}.{b64({**claims, 'sub': other.user_id})}.{signature}"


def _id_token_for_another_audience(claims, account, other):
    return forge({**{k: v for k, v in claims.items() if k != "client_id"}, "token_use": "id", "aud": "another-app"})


ATTACKS = {
    "expired": lambda c, a, o: forge({**c, "iat": c["iat"] - 7200, "exp": c["iat"] - 3600}),
    "another_client": lambda c, a, o: forge({**c, "client_id": "someone-elses-client"}),
    "another_issuer": lambda c, a, o: forge({**c, "iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_evil"}),
    "id_token_for_another_audience": _id_token_for_another_audience,
    "unknown_token_use": lambda c, a, o: forge({**c, "token_use": "refresh"}),
    "alg_none": lambda c, a, o: f"{b64({'alg': 'none', 'typ': 'JWT', 'kid': moto_signing_key()[1]})}.{b64(c)}.",
    "hmac_with_public_key": _hmac_with_public_key,
    "tampered_payload": _tampered,
    "foreign_key": lambda c, a, o: forge(c, key=rsa.generate_private_key(public_exponent=65537, key_size=2048)),
    "unknown_kid": lambda c, a, o: forge(c, kid="not-a-key-of-the-pool"),
    "garbage": lambda c, a, o: "not.a.jwt",
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_forged_or_misused_tokens_are_refused(attack):
    account, other = sign_up(), sign_up()
    token = ATTACKS[attack](claims_of(account), account, other)
    assert authorize(token) == {"isAuthorized": False}
    answer = invoke_api("GET", "/me", token=token)
    assert answer.status == 403
    assert answer.body == {"message": "Forbidden"}


def test_a_valid_token_of_an_account_that_is_gone_is_refused():
    account = sign_up()
    with users_repository() as repo:
        repo.users.set_status(account.user_id, UserStatus.DISABLED, datetime.now(UTC))
    assert authorize(account.access_token) == {"isAuthorized": False}


def test_no_token_is_401_and_a_refused_token_is_403_as_api_gateway_answers():
    assert invoke_api("GET", "/services", token="").status == 401
    assert invoke_api("GET", "/services", token="nonsense").status == 403

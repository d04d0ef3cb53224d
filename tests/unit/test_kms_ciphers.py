"""The domains' KMS ciphers: what KMS's refusals become (a token too long, a ciphertext bound to
another owner, the key service failing or silent), read through fip_core.kms, with a fake KMS client."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from pydantic import SecretStr

from fip_core.kms import ContextCipher, KmsError
from fip_core.problems import UnavailableError, UnprocessableError
from jobs.adapters.passwords import PasswordCipher
from users.adapters.kms import CredentialCipher, UnreadableCredentialError


class FakeKms:
    """Seals by prefixing the context; refuses with `fail` when set."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.fail = fail

    def encrypt(self, *, KeyId: str, Plaintext: bytes, EncryptionContext: dict[str, str]) -> dict[str, Any]:  # noqa: N803
        if self.fail:
            raise self.fail
        return {"CiphertextBlob": repr(sorted(EncryptionContext.items())).encode() + b"|" + Plaintext}

    def decrypt(self, *, CiphertextBlob: bytes, KeyId: str, EncryptionContext: dict[str, str]) -> dict[str, Any]:  # noqa: N803
        if self.fail:
            raise self.fail
        bound, _, plaintext = CiphertextBlob.partition(b"|")
        if bound != repr(sorted(EncryptionContext.items())).encode():
            raise _refusal("InvalidCiphertextException")
        return {"Plaintext": plaintext}


def _refusal(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "refused"}}, "Operation")


@pytest.fixture
def kms(monkeypatch: pytest.MonkeyPatch) -> FakeKms:
    fake = FakeKms()
    monkeypatch.setattr("fip_core.kms.aws_client", lambda service: fake)
    return fake


def test_a_ciphertext_opens_only_with_its_context(kms: FakeKms) -> None:
    cipher = ContextCipher("alias/key")
    sealed = cipher.encrypt(b"secret", {"user_id": "a"})
    assert cipher.decrypt(sealed, {"user_id": "a"}) == b"secret"
    with pytest.raises(KmsError) as failure:
        cipher.decrypt(sealed, {"user_id": "b"})
    assert failure.value.unreadable
    assert not failure.value.too_long


def test_a_silent_key_service_is_a_failure_without_a_code(kms: FakeKms) -> None:
    kms.fail = EndpointConnectionError(endpoint_url="https://kms.invalid")
    with pytest.raises(KmsError) as failure:
        ContextCipher("alias/key").encrypt(b"secret", {})
    assert failure.value.code == ""
    assert not failure.value.unreadable


def test_stored_tokens_say_what_went_wrong(kms: FakeKms) -> None:
    cipher = CredentialCipher("alias/key")
    sealed = cipher.encrypt("token", "user-1", "service-1")
    assert cipher.decrypt(sealed, "user-1", "service-1") == "token"
    with pytest.raises(UnreadableCredentialError, match="store it again"):
        cipher.decrypt(sealed, "user-2", "service-1")  # another user's row

    kms.fail = _refusal("ValidationException")
    with pytest.raises(UnprocessableError, match="at most 4096 bytes"):
        cipher.encrypt("x" * 5000, "user-1", "service-1")
    kms.fail = _refusal("AccessDeniedException")
    with pytest.raises(UnavailableError, match="refused or failed; the token was not stored"):
        cipher.encrypt("token", "user-1", "service-1")
    kms.fail = EndpointConnectionError(endpoint_url="https://kms.invalid")
    with pytest.raises(UnavailableError, match="did not answer; the token was not stored"):
        cipher.encrypt("token", "user-1", "service-1")
    with pytest.raises(UnavailableError, match="did not answer; try again"):
        cipher.decrypt(sealed, "user-1", "service-1")


def test_archive_passwords_open_only_for_their_job_and_owner(kms: FakeKms) -> None:
    cipher = PasswordCipher("alias/key")
    sealed = cipher.encrypt(SecretStr("pw"), "job-1", "user-1")
    assert cipher.decrypt(sealed, "job-1", "user-1").get_secret_value() == "pw"
    with pytest.raises(UnavailableError):
        cipher.decrypt(sealed, "job-2", "user-1")

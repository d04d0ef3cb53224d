"""Encrypting users' external service tokens with KMS, bound to the user and the service.

The encryption context ties each ciphertext to its owner and service: a ciphertext copied to
another user's row does not decrypt.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from fip_core.aws import aws_client
from fip_core.container import per_container
from fip_core.problems import DomainError, UnavailableError, UnprocessableError
from users.settings import CREDENTIALS_ENCRYPTION_CONTEXT_KEYS, CREDENTIALS_ENCRYPTION_PURPOSE, users_settings

# KMS's answers that say the ciphertext cannot be opened with this key and context (KMS answers a wrong
# encryption context as InvalidCiphertextException; a ciphertext of another key, IncorrectKeyException)
_UNREADABLE = frozenset({"InvalidCiphertextException", "IncorrectKeyException"})


class UnreadableCredentialError(DomainError):
    """A stored token that KMS will not decrypt for this user and service: stored for another, or damaged."""

    title = "Stored token unreadable"


class CredentialCipher:
    """Encrypts and decrypts with the platform's credentials key."""

    def __init__(self, key_id: str) -> None:
        self.key_id = key_id

    @property
    def _client(self) -> Any:
        return aws_client("kms")

    def encrypt(self, plaintext: str, user_id: str, service_id: str) -> bytes:
        """The ciphertext of a token for one user and service."""
        try:
            answer = self._client.encrypt(
                KeyId=self.key_id, Plaintext=plaintext.encode(), EncryptionContext=_context(user_id, service_id)
            )
        except ClientError as error:
            if _code(error) == "ValidationException":  # e.g. more than the 4096 bytes KMS encrypts
                raise UnprocessableError("the token is too long to store (at most 4096 bytes)") from error
            raise UnavailableError("the key service refused or failed; the token was not stored, try again") from error
        except BotoCoreError as error:
            raise UnavailableError("the key service did not answer; the token was not stored, try again") from error
        return bytes(answer["CiphertextBlob"])

    def decrypt(self, ciphertext: bytes, user_id: str, service_id: str) -> str:
        """The token back, only for the user and service it was stored for."""
        try:
            answer = self._client.decrypt(
                CiphertextBlob=ciphertext, KeyId=self.key_id, EncryptionContext=_context(user_id, service_id)
            )
        except ClientError as error:
            if _code(error) in _UNREADABLE:
                raise UnreadableCredentialError(
                    "the stored token cannot be decrypted for this user and service; store it again"
                ) from error
            raise UnavailableError("the key service refused or failed; try again") from error
        except BotoCoreError as error:
            raise UnavailableError("the key service did not answer; try again") from error
        return bytes(answer["Plaintext"]).decode()


@per_container
def credential_cipher() -> CredentialCipher:
    """The cipher of this container, with the configured key."""
    return CredentialCipher(users_settings().credentials_key_id)


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _context(user_id: str, service_id: str) -> dict[str, str]:
    return dict(
        zip(CREDENTIALS_ENCRYPTION_CONTEXT_KEYS, (CREDENTIALS_ENCRYPTION_PURPOSE, user_id, service_id), strict=True)
    )

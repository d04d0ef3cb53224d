"""Encrypting users' external service tokens with KMS, bound to the user and the service.

The encryption context ties each ciphertext to its owner and service: a ciphertext copied to
another user's row does not decrypt.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from fip_core.aws import aws_client
from fip_core.container import per_container
from fip_core.problems import UnavailableError
from users.settings import CREDENTIALS_ENCRYPTION_CONTEXT_KEYS, CREDENTIALS_ENCRYPTION_PURPOSE, users_settings


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
        except (BotoCoreError, ClientError) as error:
            raise UnavailableError("the key service did not answer; the token was not stored, try again") from error
        return bytes(answer["CiphertextBlob"])

    def decrypt(self, ciphertext: bytes, user_id: str, service_id: str) -> str:
        """The token back, only for the user and service it was stored for."""
        answer = self._client.decrypt(
            CiphertextBlob=ciphertext, KeyId=self.key_id, EncryptionContext=_context(user_id, service_id)
        )
        return bytes(answer["Plaintext"]).decode()


@per_container
def credential_cipher() -> CredentialCipher:
    """The cipher of this container, with the configured key."""
    return CredentialCipher(users_settings().credentials_key_id)


def _context(user_id: str, service_id: str) -> dict[str, str]:
    return dict(
        zip(CREDENTIALS_ENCRYPTION_CONTEXT_KEYS, (CREDENTIALS_ENCRYPTION_PURPOSE, user_id, service_id), strict=True)
    )

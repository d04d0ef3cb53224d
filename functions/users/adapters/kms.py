"""Encrypting users' external service tokens with KMS, bound to the user and the service.

The encryption context ties each ciphertext to its owner and service: a ciphertext copied to
another user's row does not decrypt.
"""

from __future__ import annotations

from fip_core.container import per_container
from fip_core.kms import ContextCipher, KmsError
from fip_core.problems import DomainError, UnavailableError, UnprocessableError
from users.settings import CREDENTIALS_ENCRYPTION_CONTEXT_KEYS, CREDENTIALS_ENCRYPTION_PURPOSE, users_settings


class UnreadableCredentialError(DomainError):
    """A stored token that KMS will not decrypt for this user and service: stored for another, or damaged."""

    title = "Stored token unreadable"


class CredentialCipher:
    """Encrypts and decrypts with the platform's credentials key."""

    def __init__(self, key_id: str) -> None:
        self._cipher = ContextCipher(key_id)

    def encrypt(self, plaintext: str, user_id: str, service_id: str) -> bytes:
        """The ciphertext of a token for one user and service."""
        try:
            return self._cipher.encrypt(plaintext.encode(), _context(user_id, service_id))
        except KmsError as failure:
            if failure.too_long:
                raise UnprocessableError("the token is too long to store (at most 4096 bytes)") from failure
            if failure.code:
                raise UnavailableError(
                    "the key service refused or failed; the token was not stored, try again"
                ) from failure
            raise UnavailableError("the key service did not answer; the token was not stored, try again") from failure

    def decrypt(self, ciphertext: bytes, user_id: str, service_id: str) -> str:
        """The token back, only for the user and service it was stored for."""
        try:
            return self._cipher.decrypt(ciphertext, _context(user_id, service_id)).decode()
        except KmsError as failure:
            if failure.unreadable:
                raise UnreadableCredentialError(
                    "the stored token cannot be decrypted for this user and service; store it again"
                ) from failure
            if failure.code:
                raise UnavailableError("the key service refused or failed; try again") from failure
            raise UnavailableError("the key service did not answer; try again") from failure


@per_container
def credential_cipher() -> CredentialCipher:
    """The cipher of this container, with the configured key."""
    return CredentialCipher(users_settings().credentials_key_id)


def _context(user_id: str, service_id: str) -> dict[str, str]:
    return dict(
        zip(CREDENTIALS_ENCRYPTION_CONTEXT_KEYS, (CREDENTIALS_ENCRYPTION_PURPOSE, user_id, service_id), strict=True)
    )

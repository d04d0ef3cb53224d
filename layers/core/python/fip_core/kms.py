"""Encrypting small secrets with a domain's KMS key, each bound to what it belongs to by KMS's
encryption context: a ciphertext copied to another row (another user, job or service) does not decrypt.

The domains' ciphers (the users domain's stored service tokens, the jobs domain's archive passwords)
say in their own words what failed; the calls to KMS and the reading of its errors are here."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from fip_core.aws import aws_client

# KMS's answers that say the ciphertext cannot be opened with this key and context (KMS answers a wrong
# encryption context as InvalidCiphertextException; a ciphertext of another key, IncorrectKeyException)
UNREADABLE_CODES = frozenset({"InvalidCiphertextException", "IncorrectKeyException"})


class KmsError(Exception):
    """KMS refused or did not answer; `code` is its error code, empty when it did not answer."""

    def __init__(self, code: str) -> None:
        super().__init__(code or "no answer")
        self.code = code

    @property
    def unreadable(self) -> bool:
        """Whether the ciphertext cannot be decrypted with this key and context (not a passing failure)."""
        return self.code in UNREADABLE_CODES

    @property
    def too_long(self) -> bool:
        """Whether the plaintext was refused as invalid, e.g. longer than the 4096 bytes KMS encrypts."""
        return self.code == "ValidationException"


class ContextCipher:
    """Encrypts and decrypts with one KMS key, every call bound to an encryption context."""

    def __init__(self, key_id: str) -> None:
        self.key_id = key_id

    @property
    def _client(self) -> Any:
        return aws_client("kms")

    def encrypt(self, plaintext: bytes, context: dict[str, str]) -> bytes:
        """The ciphertext of `plaintext`, decryptable only with the same context; KmsError otherwise."""
        try:
            answer = self._client.encrypt(KeyId=self.key_id, Plaintext=plaintext, EncryptionContext=context)
        except ClientError as error:
            raise KmsError(_code(error)) from error
        except BotoCoreError as error:
            raise KmsError("") from error
        return bytes(answer["CiphertextBlob"])

    def decrypt(self, ciphertext: bytes, context: dict[str, str]) -> bytes:
        """The plaintext back, only with the context it was encrypted with; KmsError otherwise."""
        try:
            answer = self._client.decrypt(CiphertextBlob=ciphertext, KeyId=self.key_id, EncryptionContext=context)
        except ClientError as error:
            raise KmsError(_code(error)) from error
        except BotoCoreError as error:
            raise KmsError("") from error
        return bytes(answer["Plaintext"])


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))

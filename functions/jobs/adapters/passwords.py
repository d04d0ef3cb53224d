"""The result archives' passwords, encrypted with the jobs domain's KMS key and bound (the encryption
context) to the job and its owner: a ciphertext copied to another job's row does not decrypt."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import SecretStr

from fip_core.aws import aws_client
from fip_core.container import per_container
from fip_core.problems import UnavailableError
from jobs.settings import PASSWORD_PURPOSE, jobs_settings


class PasswordCipher:
    """Encrypts and decrypts archive passwords with the domain's key."""

    def __init__(self, key_id: str) -> None:
        self.key_id = key_id

    @property
    def _client(self) -> Any:
        return aws_client("kms")

    def encrypt(self, password: SecretStr, job_id: str, user_id: str) -> bytes:
        """The password's ciphertext for this job of this owner."""
        try:
            answer = self._client.encrypt(
                KeyId=self.key_id,
                Plaintext=password.get_secret_value().encode(),
                EncryptionContext=_context(job_id, user_id),
            )
        except (ClientError, BotoCoreError) as error:
            raise UnavailableError("the key service refused or failed; try again") from error
        return bytes(answer["CiphertextBlob"])

    def decrypt(self, ciphertext: bytes, job_id: str, user_id: str) -> SecretStr:
        """The password back, only for the job and owner it was stored for."""
        try:
            answer = self._client.decrypt(
                CiphertextBlob=ciphertext, KeyId=self.key_id, EncryptionContext=_context(job_id, user_id)
            )
        except (ClientError, BotoCoreError) as error:
            raise UnavailableError("the key service refused or failed; try again") from error
        return SecretStr(bytes(answer["Plaintext"]).decode())


@per_container
def password_cipher() -> PasswordCipher:
    """The cipher of this container, with the configured key."""
    return PasswordCipher(jobs_settings().passwords_key_id)


def _context(job_id: str, user_id: str) -> dict[str, str]:
    return {"purpose": PASSWORD_PURPOSE, "job_id": job_id, "user_id": user_id}

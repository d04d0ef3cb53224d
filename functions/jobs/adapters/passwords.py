"""The result archives' passwords, encrypted with the jobs domain's KMS key and bound (the encryption
context) to the job and its owner: a ciphertext copied to another job's row does not decrypt."""

from __future__ import annotations

from pydantic import SecretStr

from fip_core.container import per_container
from fip_core.kms import ContextCipher, KmsError
from fip_core.problems import UnavailableError
from jobs.settings import PASSWORD_PURPOSE, jobs_settings


class PasswordCipher:
    """Encrypts and decrypts archive passwords with the domain's key."""

    def __init__(self, key_id: str) -> None:
        self._cipher = ContextCipher(key_id)

    def encrypt(self, password: SecretStr, job_id: str, user_id: str) -> bytes:
        """The password's ciphertext for this job of this owner."""
        try:
            return self._cipher.encrypt(password.get_secret_value().encode(), _context(job_id, user_id))
        except KmsError as failure:
            raise UnavailableError("the key service refused or failed; try again") from failure

    def decrypt(self, ciphertext: bytes, job_id: str, user_id: str) -> SecretStr:
        """The password back, only for the job and owner it was stored for."""
        try:
            return SecretStr(self._cipher.decrypt(ciphertext, _context(job_id, user_id)).decode())
        except KmsError as failure:
            raise UnavailableError("the key service refused or failed; try again") from failure


@per_container
def password_cipher() -> PasswordCipher:
    """The cipher of this container, with the configured key."""
    return PasswordCipher(jobs_settings().passwords_key_id)


def _context(job_id: str, user_id: str) -> dict[str, str]:
    return {"purpose": PASSWORD_PURPOSE, "job_id": job_id, "user_id": user_id}

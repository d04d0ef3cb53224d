"""Users' tokens for external imputation servers: stored encrypted, never shown again, decrypted
only for the jobs domain through an internal function."""

from __future__ import annotations

from datetime import datetime

from fip_core.access import Principal
from fip_core.audit import audit_record
from fip_core.problems import NotFoundError
from users.adapters.kms import CredentialCipher
from users.dal.repository import UsersRepository
from users.models.credentials import StoredCredential, StoredCredentialList
from users.settings import DOMAIN


def store_credential(
    repo: UsersRepository, cipher: CredentialCipher, principal: Principal, service_id: str, token: str, now: datetime
) -> StoredCredential:
    """Encrypt and store (or replace) the caller's token for a service."""
    stored = repo.store_credential(
        principal.user_id, service_id, cipher.encrypt(token, principal.user_id, service_id), now
    )
    repo.audit(audit_record(DOMAIN, "credential_stored", principal, now, target_type="service", target_id=service_id))
    return stored


def list_credentials(repo: UsersRepository, user_id: str) -> StoredCredentialList:
    """The services the user stored a token for, never the tokens."""
    return StoredCredentialList(items=repo.credentials(user_id))


def delete_credential(repo: UsersRepository, principal: Principal, service_id: str, now: datetime) -> None:
    """Forget the caller's token for a service."""
    if not repo.delete_credential(principal.user_id, service_id):
        raise NotFoundError(f"you stored no token for service {service_id}")
    repo.audit(audit_record(DOMAIN, "credential_deleted", principal, now, target_type="service", target_id=service_id))


def reveal_credential(repo: UsersRepository, cipher: CredentialCipher, user_id: str, service_id: str) -> str:
    """The plain token of a user for a service, for submitting a job on their behalf."""
    ciphertext = repo.credential_ciphertext(user_id, service_id)
    if ciphertext is None:
        raise NotFoundError(f"user {user_id} stored no token for service {service_id}")
    return cipher.decrypt(ciphertext, user_id, service_id)

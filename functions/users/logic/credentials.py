"""Users' tokens for external imputation servers: stored encrypted, never shown again, decrypted
only for the jobs domain through an internal function."""

from __future__ import annotations

from datetime import datetime

from fip_core.access import Principal
from fip_core.audit import audit_record
from fip_core.problems import NotFoundError
from users.dal.repository import UsersRepository
from users.domain import EncryptedCredential
from users.logic.ports import Cipher
from users.models.credentials import StoredCredential, StoredCredentialList
from users.settings import DOMAIN


def as_stored(credential: EncryptedCredential) -> StoredCredential:
    """The API's shape of a stored token: that it is there, never what it is."""
    return StoredCredential(
        service_id=credential.service_id, created_at=credential.created_at, updated_at=credential.updated_at
    )


def store_credential(
    repo: UsersRepository, cipher: Cipher, principal: Principal, service_id: str, token: str, now: datetime
) -> StoredCredential:
    """Encrypt and store (or replace) the caller's token for a service."""
    ciphertext = cipher.encrypt(token, principal.user_id, service_id)
    stored = repo.credentials.store(principal.user_id, service_id, ciphertext, now)
    repo.audit(audit_record(DOMAIN, "credential_stored", principal, now, target_type="service", target_id=service_id))
    return as_stored(stored)


def list_credentials(repo: UsersRepository, user_id: str) -> StoredCredentialList:
    """The services the user stored a token for, never the tokens."""
    return StoredCredentialList(items=[as_stored(credential) for credential in repo.credentials.of_user(user_id)])


def delete_credential(repo: UsersRepository, principal: Principal, service_id: str, now: datetime) -> None:
    """Forget the caller's token for a service."""
    if not repo.credentials.delete(principal.user_id, service_id):
        raise NotFoundError(f"you stored no token for service {service_id}")
    repo.audit(audit_record(DOMAIN, "credential_deleted", principal, now, target_type="service", target_id=service_id))


def reveal_credential(repo: UsersRepository, cipher: Cipher, user_id: str, service_id: str) -> str:
    """The plain token of a user for a service, for submitting a job on their behalf."""
    credential = repo.credentials.get(user_id, service_id)
    if credential is None:
        raise NotFoundError(f"user {user_id} stored no token for service {service_id}")
    return cipher.decrypt(credential.ciphertext, user_id, service_id)

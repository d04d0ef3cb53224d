"""Users' own tokens for external imputation servers (a Michigan or TOPMed token)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr
from pydantic_core import PydanticCustomError

# KMS encrypts at most 4096 bytes of plaintext
MAX_TOKEN_BYTES = 4096


def _fits_the_key(value: SecretStr) -> SecretStr:
    if len(value.get_secret_value().encode()) > MAX_TOKEN_BYTES:
        raise PydanticCustomError(
            "token_too_long", "must be at most {limit} bytes in UTF-8", {"limit": MAX_TOKEN_BYTES}
        )
    return value


class CredentialStore(BaseModel):
    """A token to store, encrypted; it is never shown again."""

    model_config = ConfigDict(extra="forbid")

    token: Annotated[SecretStr, Field(min_length=1, max_length=MAX_TOKEN_BYTES), AfterValidator(_fits_the_key)]


class StoredCredential(BaseModel):
    """That a token is stored for a service, and since when: never the token."""

    service_id: str
    created_at: datetime
    updated_at: datetime


class StoredCredentialList(BaseModel):
    """The services the caller stored a token for."""

    items: list[StoredCredential]


class CredentialRequest(BaseModel):
    """What the jobs domain asks the internal credentials function."""

    model_config = ConfigDict(extra="forbid")

    user_id: str
    service_id: str

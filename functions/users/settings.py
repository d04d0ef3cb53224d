"""Configuration of the users domain, from variables prefixed `USERS_`."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from fip_core.access import Role
from fip_core.container import per_container
from fip_core.settings import DatabaseSettings, database_settings
from users import DOMAIN as DOMAIN  # noqa: PLC0414 - re-exported

PASSWORD_MIN_LENGTH = 12  # the pool's policy (CDK and the local platform) and the API's validation alike


class UsersSettings(BaseSettings):
    """Where the user pool and the credentials key are, and the rules for tokens and roles."""

    model_config = SettingsConfigDict(env_prefix="USERS_", extra="ignore", frozen=True)

    user_pool_id: str = Field(default="", description="Cognito user pool the platform signs users in with.")
    client_id: str = Field(default="", description="The pool's app client (no secret; password and refresh flows).")
    region: str = Field(default="eu-west-1", description="Region of the user pool.")
    jwks_url: str | None = Field(
        default=None, description="Where the pool's signing keys are; by default Cognito's well-known URL."
    )
    credentials_key_id: str = Field(
        default="alias/fip-users-credentials", description="KMS key that encrypts users' external service tokens."
    )
    default_role: Role = Field(default=Role.RESEARCHER, description="Role every confirmed user gets.")
    totp_issuer: str = Field(
        default="Federated Imputation Platform", description="The name authenticator apps show next to the code."
    )
    api_token_default_days: int = Field(default=90, ge=1, le=365)
    api_token_max_days: int = Field(default=365, ge=1, le=3650)

    @property
    def issuer(self) -> str:
        """The `iss` claim of the pool's tokens."""
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"

    @property
    def signing_keys_url(self) -> str:
        """The JWKS document of the pool."""
        return self.jwks_url or f"{self.issuer}/.well-known/jwks.json"


# The encryption context every stored token is bound to (adapters/kms.py); the key's policy requires it.
CREDENTIALS_ENCRYPTION_PURPOSE = "external-service-token"
CREDENTIALS_ENCRYPTION_CONTEXT_KEYS = ("purpose", "user_id", "service_id")


@per_container
def users_settings() -> UsersSettings:
    """The users domain's settings, read once per container."""
    return UsersSettings()


@per_container
def users_database() -> DatabaseSettings:
    """Where the users domain's database is, read once per container."""
    return database_settings(DOMAIN)

"""Configuration of the registry domain, from variables prefixed `REGISTRY_`."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from fip_core.container import per_container
from fip_core.settings import DatabaseSettings, database_settings
from registry import DOMAIN as DOMAIN  # noqa: PLC0414 - re-exported


class RegistrySettings(BaseSettings):
    """How health checks are run and how the registry describes itself."""

    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore", frozen=True)

    check_timeout_seconds: float = Field(default=10.0, gt=0, le=60, description="Per-check time limit.")
    sweep_concurrency: int = Field(default=500, ge=1, le=900, description="Checks in flight at once.")
    sweep_batch_limit: int = Field(default=5000, ge=1, description="Most services one sweep checks.")
    healthy_recheck_minutes: int = Field(default=15, ge=1, description="A healthy service is due again after this.")
    failing_backoff_first_minutes: int = Field(default=1, ge=1, description="First re-check of a failing service.")
    failing_backoff_max_minutes: int = Field(default=10, ge=1, description="Longest wait between failing checks.")
    deactivate_after_days: int = Field(default=30, ge=1, description="Deactivate a service down this long.")
    at_risk_window_days: int = Field(
        default=5,
        ge=1,
        description="Warn (ServiceAtRisk) this many days before a service down since then would be deactivated.",
    )
    history_retention_days: int = Field(default=90, ge=31, description="Health history older than this is pruned.")
    ga4gh_id_prefix: str = Field(
        default="org.federated-imputation", description="Reverse-domain prefix of GA4GH service ids."
    )
    organization_name: str = Field(default="Federated Imputation Platform")
    organization_url: str = Field(default="https://github.com/federated-imputation")
    public_api_url: str = Field(default="http://localhost:8000", description="Where the platform's API is served.")
    platform_version: str = Field(default="0.1.0")


@per_container
def registry_settings() -> RegistrySettings:
    """The registry's settings, read once per container."""
    return RegistrySettings()


@per_container
def registry_database() -> DatabaseSettings:
    """Where the registry's database is, read once per container."""
    return database_settings(DOMAIN)

"""Configuration of the monitoring domain, from variables prefixed `MONITORING_`."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from fip_core.container import per_container
from fip_core.settings import DatabaseSettings, database_settings
from monitoring import DOMAIN as DOMAIN  # noqa: PLC0414 - re-exported


class MonitoringSettings(BaseSettings):
    """Nothing to configure yet beyond the database; here so that a setting has one place to go."""

    model_config = SettingsConfigDict(env_prefix="MONITORING_", extra="ignore", frozen=True)


@per_container
def monitoring_settings() -> MonitoringSettings:
    """The domain's settings, read once per container."""
    return MonitoringSettings()


@per_container
def monitoring_database() -> DatabaseSettings:
    """Where the domain's database is, read once per container."""
    return database_settings(DOMAIN)

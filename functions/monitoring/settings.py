"""Configuration of the monitoring domain, from variables prefixed `MONITORING_`."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from fip_core.container import per_container
from fip_core.settings import DatabaseSettings, database_settings
from monitoring import DOMAIN as DOMAIN  # noqa: PLC0414 - re-exported


class MonitoringSettings(BaseSettings):
    """How long the aggregates are kept."""

    model_config = SettingsConfigDict(env_prefix="MONITORING_", extra="ignore", frozen=True)

    hours_retention_days: int = Field(
        default=35, ge=31, le=3660, description="Services' hourly rollups are pruned after this (uptime reads 30 days)."
    )
    days_retention_days: int = Field(
        default=400, ge=367, le=36600, description="Jobs' daily rollups are pruned after this (dashboards read 366)."
    )


@per_container
def monitoring_settings() -> MonitoringSettings:
    """The domain's settings, read once per container."""
    return MonitoringSettings()


@per_container
def monitoring_database() -> DatabaseSettings:
    """Where the domain's database is, read once per container."""
    return database_settings(DOMAIN)

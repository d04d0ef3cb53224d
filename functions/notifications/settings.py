"""Configuration of the notifications domain, from variables prefixed `NOTIFICATIONS_`."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from fip_core.container import per_container
from fip_core.settings import DatabaseSettings, database_settings
from notifications import DOMAIN as DOMAIN  # noqa: PLC0414 - re-exported


class NotificationsSettings(BaseSettings):
    """Who email comes from, where its links point, and how often sending is tried."""

    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", extra="ignore", frozen=True)

    mail_sender: str = Field(default="", description="The address email is sent from (told by the resource).")
    web_origin: str = Field(
        default="http://127.0.0.1:8000",
        pattern=r"^https?://[^/\s]+$",
        description="The platform's web origin, which links in messages point to (no trailing slash).",
    )
    mail_configuration_set: str = Field(
        default="", description="The SES configuration set email is sent with (told by the resource; none when empty)."
    )
    max_attempts: int = Field(default=5, ge=1, le=50, description="Tries of an email before it is given up.")
    dispatch_batch: int = Field(default=50, ge=1, le=500, description="Messages and emails handled per run.")


@per_container
def notifications_settings() -> NotificationsSettings:
    """The domain's settings, read once per container."""
    return NotificationsSettings()


@per_container
def notifications_database() -> DatabaseSettings:
    """Where the domain's database is, read once per container."""
    return database_settings(DOMAIN)

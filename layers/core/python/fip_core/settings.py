"""Platform-wide configuration read from the environment, as pydantic models."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from fip_core.container import per_container
from fip_core.observability import METRICS_NAMESPACE as METRICS_NAMESPACE  # noqa: PLC0414 - re-exported

EVENT_BUS_NAME = "fip-events"  # the platform's bus, as the CDK app names it and the code publishes to


def env_prefix(domain: str) -> str:
    """What a domain's environment variables start with: `REGISTRY_` for `registry`."""
    return f"{domain.upper()}_"


class PlatformSettings(BaseSettings):
    """Settings every domain shares; environment variables prefixed `FIP_`."""

    model_config = SettingsConfigDict(env_prefix="FIP_", extra="ignore", frozen=True)

    environment: str = Field(default="local", description="Deployment stage: local, dev, prod.")
    event_bus_name: str = Field(default=EVENT_BUS_NAME, description="EventBridge bus for domain events.")
    event_source_prefix: str = Field(default="fip", description="Events carry source '<prefix>.<domain>'.")
    function_timeout_seconds: float = Field(
        default=29.0, gt=0, le=900, description="This function's timeout, which bounds the calls it makes."
    )


class DatabaseSettings(BaseSettings):
    """Where one domain's database is: a URL locally, a Secrets Manager secret in the cloud.

    Each domain reads its own variables (`REGISTRY_DATABASE_URL`, ...) so that the local platform
    can run every domain in one process without their settings colliding.
    """

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    database_url: str | None = Field(default=None, description="SQLAlchemy URL, e.g. sqlite:///.state/registry.db")
    database_secret_arn: str | None = Field(
        default=None, description="Secrets Manager secret holding host, port, username, password and dbname."
    )
    # Both far below every function's timeout, so that an unreachable or resuming database is answered
    # with a 503 problem rather than a Lambda timeout.
    database_connect_timeout_seconds: float = Field(
        default=5.0, gt=0, le=60, description="Longest wait for the database to accept and greet a connection."
    )
    database_statement_timeout_seconds: float = Field(
        default=5.0, gt=0, le=900, description="Longest a statement may run before the server cancels it."
    )


@per_container
def platform_settings() -> PlatformSettings:
    """The platform settings of this container, read once."""
    return PlatformSettings()


def database_settings(domain: str) -> DatabaseSettings:
    """The database settings of one domain, from variables prefixed with the domain's name."""
    return DatabaseSettings(_env_prefix=env_prefix(domain))

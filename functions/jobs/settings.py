"""Configuration of the jobs domain, from variables prefixed `JOBS_`."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from fip_core.container import per_container
from fip_core.settings import DatabaseSettings, database_settings
from jobs import DOMAIN as DOMAIN  # noqa: PLC0414 - re-exported

# the encryption context's purpose (jobs.declaration.PASSWORDS); names what is encrypted, is no secret
PASSWORD_PURPOSE = "job-archive-password"  # noqa: S105


class JobsSettings(BaseSettings):
    """How jobs are polled and when one with no news is flagged stalled."""

    model_config = SettingsConfigDict(env_prefix="JOBS_", extra="ignore", frozen=True)

    poll_interval_seconds: int = Field(
        default=60, ge=60, le=3600, description="A job is polled at most this often (the services ask once a minute)."
    )
    poll_concurrency_per_service: int = Field(
        default=5, ge=1, le=50, description="How many calls a poll makes to one service at once."
    )
    submit_lease_minutes: int = Field(
        default=16,
        ge=1,
        le=120,
        description="How long a submission holds its job: after that (a submitter that died) it is tried again.",
    )
    poll_batch: int = Field(default=5000, ge=1, le=100_000, description="The most jobs one poll takes on.")
    output_attempts: int = Field(
        default=5, ge=1, le=10, description="How often copying a result file in is tried before it is given up."
    )
    passwords_key_id: str = Field(
        default="", description="The KMS key of the result archives' passwords (set by the platform)."
    )
    stalled_after_minutes: int = Field(
        default=24 * 60, ge=1, description="A job whose service has said nothing new for this long is flagged stalled."
    )


@per_container
def jobs_settings() -> JobsSettings:
    """The domain's settings, read once per container."""
    return JobsSettings()


@per_container
def jobs_database() -> DatabaseSettings:
    """Where the domain's database is, read once per container."""
    return database_settings(DOMAIN)

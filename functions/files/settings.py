"""Configuration of the files domain, from variables prefixed `FILES_`."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from files import DOMAIN as DOMAIN  # noqa: PLC0414 - re-exported
from fip_core.container import per_container
from fip_core.settings import DatabaseSettings, database_settings

GIB = 1024**3
# S3's multipart limits: parts of 5 MiB to 5 GiB (the last may be smaller), at most 10,000 of them
S3_MIN_PART_BYTES = 5 * 1024**2
S3_MAX_PARTS = 10_000


class FilesSettings(BaseSettings):
    """Where files are kept, how big they may be, how long they are kept, and how they are validated."""

    model_config = SettingsConfigDict(env_prefix="FILES_", extra="ignore", frozen=True)

    store_bucket: str = Field(default="", description="The bucket of inputs and results (told by the resource).")
    max_size_bytes: int = Field(default=200 * GIB, ge=1, le=5 * 1024 * GIB, description="The largest file accepted.")
    min_part_bytes: int = Field(
        default=16 * 1024**2, ge=S3_MIN_PART_BYTES, description="The smallest part of a multipart upload."
    )
    upload_url_minutes: int = Field(default=120, ge=1, le=7 * 24 * 60, description="How long a part URL lasts.")
    download_url_minutes: int = Field(default=5, ge=1, le=60, description="How long a download URL lasts.")
    # a WES service fetches its inputs when the run starts, which may be a while after it was queued
    submission_url_minutes: int = Field(
        default=120, ge=1, le=7 * 24 * 60, description="How long the link handed to an imputation service lasts."
    )
    retention_days: int = Field(default=7, ge=1, description="Files are deleted this long after they were created.")
    expiry_warning_hours: int = Field(default=48, ge=1, description="FileExpiring is published this long before.")
    min_samples: int = Field(default=20, ge=1, description="Fewest samples a server accepts (Michigan's public: 5).")
    max_samples: int = Field(default=50_000, ge=1, description="Most samples a server accepts.")
    split_above_bytes: int = Field(
        default=1024**3,
        ge=1,
        description="Files larger than this are validated in byte ranges at once, about this size each.",
    )
    parallel_ranges: int = Field(default=16, ge=1, le=64, description="The most ranges a large file is split into.")

    def ranges_for(self, size: int) -> int:
        """How many ranges a file of `size` bytes is validated in: 1 up to the split size, then one per
        split size begun, at most `parallel_ranges`."""
        if size <= self.split_above_bytes:
            return 1
        return max(2, min(self.parallel_ranges, -(-size // self.split_above_bytes)))


@per_container
def files_settings() -> FilesSettings:
    """The domain's settings, read once per container."""
    return FilesSettings()


@per_container
def files_database() -> DatabaseSettings:
    """Where the domain's database is, read once per container."""
    return database_settings(DOMAIN)

"""The adapters the files domain's handlers hand to its logic: the one place that picks them."""

from __future__ import annotations

from datetime import UTC, datetime

from files.adapters.s3 import S3Store
from files.dal.unit_of_work import files_reading, files_repository
from files.logic.ports import FilesAdapters
from files.settings import files_settings
from fip_core.aws import aws_client


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def files_adapters() -> FilesAdapters:
    """The real database (whose transactions relay their events as they commit), bucket and clock."""
    store = S3Store(aws_client("s3"), files_settings().store_bucket)
    return FilesAdapters(transaction=files_repository, reading=files_reading, store=store, clock=utc_now)

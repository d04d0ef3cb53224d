"""The adapters the files domain's handlers hand to its logic: the one place that picks them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from files import DOMAIN
from files.adapters.ranges import InvokedRanges
from files.adapters.s3 import S3Store
from files.dal.unit_of_work import files_reading, files_repository
from files.declaration import VALIDATE_RANGE
from files.logic.ports import FilesAdapters
from files.settings import files_settings
from fip_core import calls
from fip_core.aws import aws_client


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def files_adapters() -> FilesAdapters:
    """The real database (whose transactions relay their events as they commit), bucket and clock."""
    store = S3Store(aws_client("s3"), files_settings().store_bucket)
    return FilesAdapters(transaction=files_repository, reading=files_reading, store=store, clock=utc_now)


def validation_adapters() -> FilesAdapters:
    """The adapters of the validate function: a large file's ranges go to invocations of `validate-range`
    where the call is set up (in the cloud and under `make run`), else to threads here (a test calling
    the handlers in process)."""
    ranges = InvokedRanges(VALIDATE_RANGE) if calls.declared(DOMAIN, VALIDATE_RANGE) else None
    return replace(files_adapters(), ranges=ranges)

"""What the files logic is given: the object store and the transactions, through small protocols."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from files.dal.repository import FilesRepository
from files.validation import Header, Limits, RangeResult, RangeSource


@dataclass(frozen=True)
class StoredPart:
    """A part the object store has received."""

    part_number: int
    etag: str
    size_bytes: int


class ObjectStore(Protocol):
    """The bucket of inputs and results: multipart uploads through presigned URLs, reads, deletions."""

    def start_upload(self, key: str) -> str:
        """Begin a multipart upload of `key`; its upload id."""

    def part_urls(self, key: str, upload_id: str, parts: int, seconds: int) -> list[str]:
        """A presigned PUT for each part, 1 to `parts`, valid for `seconds`."""

    def received_parts(self, key: str, upload_id: str) -> list[StoredPart]:
        """The parts received so far, in order."""

    def complete(self, key: str, upload_id: str, parts: list[tuple[int, str]]) -> None:
        """Assemble the object from its parts `(number, etag)`."""

    def abort(self, key: str, upload_id: str) -> None:
        """Give up an upload and drop its parts."""

    def delete(self, key: str) -> None:
        """Delete an object (nothing happens if it is gone already)."""

    def download_url(self, key: str, filename: str, seconds: int) -> str:
        """A presigned GET of the object, downloaded as `filename`, valid for `seconds`."""

    def source(self, key: str, size: int) -> RangeSource:
        """The object as a source of ranged reads."""


class RangeValidator(Protocol):
    """Validates the byte ranges of a stored object elsewhere, at once (in the cloud, an invocation of the
    `validate-range` function each), and answers their results in the ranges' order."""

    def __call__(
        self, key: str, size: int, ranges: Sequence[tuple[int, int | None]], limits: Limits, header: Header
    ) -> list[RangeResult]:
        """One result per range; raises when a range could not be validated."""


Transaction = Callable[[], AbstractContextManager[FilesRepository]]
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class FilesAdapters:
    """Everything the logic reaches outside itself."""

    transaction: Transaction
    reading: Transaction
    store: ObjectStore
    clock: Clock
    ranges: RangeValidator | None = None  # None: a large file's ranges run on threads here

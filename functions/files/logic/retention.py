"""Retention: `FileExpiring` once per file before it expires, then the expired files deleted (the
object and the record's mark, each deletion recorded). The bucket's lifecycle rule is the backstop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from files.logic.ports import FilesAdapters
from files.logic.uploads import remove_object
from files.settings import FilesSettings
from fip_core.platform_events import FileExpiring

BATCH = 500  # files per transaction; a sweep goes on until none is left


@dataclass(frozen=True)
class Sweep:
    """What one sweep did."""

    warned: int
    deleted: int


def sweep(adapters: FilesAdapters, settings: FilesSettings) -> Sweep:
    """Warn of the files expiring within the warning time, and delete those expired."""
    now = adapters.clock()
    warned = deleted = 0
    while True:
        with adapters.transaction() as repo:
            due = repo.files.expiring(now + timedelta(hours=settings.expiry_warning_hours), BATCH)
            for record in due:
                repo.add_event(
                    FileExpiring(
                        file_id=record.id, user_id=record.user_id, filename=record.filename, kind=record.kind,
                        expires_at=record.expires_at,
                    ),
                    now,
                )  # fmt: skip
                repo.files.change(record.id, now, expiry_warned_at=now)
        warned += len(due)
        if len(due) < BATCH:
            break
    while True:
        with adapters.reading() as repo:
            expired = repo.files.expired(now, BATCH)
        for record in expired:
            remove_object(adapters, record)  # first the object: a record marked deleted must hold nothing
            with adapters.transaction() as repo:
                repo.files.change(record.id, now, deleted_at=now, upload_id=None)
                repo.files.record_action(record.id, "retention", "expire", now)
        deleted += len(expired)
        if len(expired) < BATCH:
            return Sweep(warned=warned, deleted=deleted)

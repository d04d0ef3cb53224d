"""Data access of files and what was done with them: rows in, file records out. Every read by id or key
that a user asks for names the owner too, so one user's request never reaches another's file."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from files.dal.tables import FileActionRow, FileRecipientRow, FileRow
from files.domain import FileRecord, FileStatus, Recipient
from fip_core.repository import DomainRepository

_FIELDS = [field.name for field in fields(FileRecord)]
_RECIPIENT_FIELDS = [field.name for field in fields(Recipient)]


class FileRepository(DomainRepository):
    """Reads and writes the files and file_actions tables inside the caller's transaction."""

    def add(self, record: FileRecord) -> FileRecord:
        """Store a new file."""
        self.session.add(FileRow(**{name: getattr(record, name) for name in _FIELDS}))
        self._flush()
        return record

    def get(self, file_id: str, *, lock: bool = False) -> FileRecord | None:
        """A file that is not deleted, whoever owns it; `lock` holds its row to the transaction's end."""
        statement = select(FileRow).where(FileRow.id == file_id, FileRow.deleted_at.is_(None))
        row = self.session.scalar(statement.with_for_update() if lock else statement)
        return _record(row) if row else None

    def by_key(self, key: str) -> FileRecord | None:
        """The file stored under an object key, if it is not deleted."""
        row = self.session.scalar(select(FileRow).where(FileRow.key == key, FileRow.deleted_at.is_(None)))
        return _record(row) if row else None

    def page(self, user_id: str, status: FileStatus | None, limit: int, offset: int) -> tuple[list[FileRecord], int]:
        """One user's files that are not deleted, newest first, and how many there are in all."""
        condition = [FileRow.user_id == user_id, FileRow.deleted_at.is_(None)]
        if status is not None:
            condition.append(FileRow.status == status)
        total = self.session.scalar(select(func.count()).select_from(FileRow).where(*condition)) or 0
        newest_first = select(FileRow).where(*condition).order_by(FileRow.created_at.desc(), FileRow.id)
        rows = self.session.scalars(newest_first.limit(limit).offset(offset))
        return [_record(row) for row in rows], total

    def change(self, file_id: str, now: datetime, **changes: Any) -> None:
        """Set fields of a file."""
        self.session.execute(update(FileRow).where(FileRow.id == file_id).values(updated_at=now, **changes))

    def change_if(self, file_id: str, while_status: FileStatus, now: datetime, **changes: Any) -> bool:
        """Set fields of a file only while it has this status (an upload completed once, not twice)."""
        result = self.session.execute(
            update(FileRow)
            .where(FileRow.id == file_id, FileRow.status == while_status, FileRow.deleted_at.is_(None))
            .values(updated_at=now, **changes)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def expiring(self, before: datetime, limit: int) -> list[FileRecord]:
        """Files not yet warned of that expire before a moment, soonest first."""
        rows = self.session.scalars(
            select(FileRow)
            .where(FileRow.deleted_at.is_(None), FileRow.expiry_warned_at.is_(None), FileRow.expires_at <= before)
            .order_by(FileRow.expires_at)
            .limit(limit)
        )
        return [_record(row) for row in rows]

    def expired(self, now: datetime, limit: int) -> list[FileRecord]:
        """Files past their expiry that are not deleted yet, oldest first."""
        rows = self.session.scalars(
            select(FileRow)
            .where(FileRow.deleted_at.is_(None), FileRow.expires_at <= now)
            .order_by(FileRow.expires_at)
            .limit(limit)
        )
        return [_record(row) for row in rows]

    def record_action(self, file_id: str, actor: str, action: str, now: datetime, detail: str | None = None) -> None:
        """Keep what was done with a file: a download, a deletion."""
        self.session.add(FileActionRow(file_id=file_id, actor=actor, action=action, at=now, detail=detail))
        self._flush()

    def record_recipient(self, recipient: Recipient) -> None:
        """Keep that a file was sent to a service for a job."""
        self.session.add(FileRecipientRow(**{name: getattr(recipient, name) for name in _RECIPIENT_FIELDS}))
        self._flush()

    def recipients(self, file_id: str) -> list[Recipient]:
        """The services a file was sent to, oldest first."""
        rows = self.session.scalars(
            select(FileRecipientRow).where(FileRecipientRow.file_id == file_id).order_by(FileRecipientRow.id)
        )
        return [Recipient(**{name: getattr(row, name) for name in _RECIPIENT_FIELDS}) for row in rows]

    def actions(self, file_id: str) -> list[tuple[str, str]]:
        """`(actor, action)` of what was done with a file, oldest first."""
        rows = self.session.execute(
            select(FileActionRow.actor, FileActionRow.action)
            .where(FileActionRow.file_id == file_id)
            .order_by(FileActionRow.id)
        )
        return [(actor, action) for actor, action in rows]


def _record(row: FileRow) -> FileRecord:
    return FileRecord(**{name: getattr(row, name) for name in _FIELDS})

"""Data access of jobs and their history: rows in, job records out. Every read a user asks for names
the owner too, so one user's request never reaches another's job. Every change of a job is conditioned
on the version it was read at: of two writers that read the same version, the second changes nothing."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from fip_core.repository import DomainRepository, DuplicateError
from jobs.dal.tables import JobOutputRow, JobRow, JobTransitionRow
from jobs.domain import JobOutput, JobRecord, JobStatus, OutputStatus, Transition

_FIELDS = [field.name for field in fields(JobRecord)]
_OUTPUT_FIELDS = [field.name for field in fields(JobOutput)]


class JobRepository(DomainRepository):
    """Reads and writes the jobs and job_transitions tables inside the caller's transaction."""

    def add(self, record: JobRecord) -> JobRecord:
        """Store a new job (a second job with the same owner and idempotency key clashes)."""
        self.session.add(JobRow(**{name: getattr(record, name) for name in _FIELDS}))
        self._flush()
        return record

    def get(self, job_id: str) -> JobRecord | None:
        """A job, whoever owns it (for pollers, submitters and admins)."""
        row = self.session.get(JobRow, job_id)
        return _record(row) if row else None

    def owned(self, user_id: str, job_id: str) -> JobRecord | None:
        """A job of this user, or None (another user's job is as absent as a missing one)."""
        row = self.session.scalar(select(JobRow).where(JobRow.id == job_id, JobRow.user_id == user_id))
        return _record(row) if row else None

    def children(self, parent_id: str) -> list[JobRecord]:
        """The children of a multi-service job, in the order the request named their services."""
        statement = select(JobRow).where(JobRow.parent_id == parent_id).order_by(JobRow.created_at, JobRow.id)
        return sorted((_record(row) for row in self.session.scalars(statement)), key=_requested_order)

    def by_idempotency_key(self, user_id: str, key: str) -> JobRecord | None:
        """The job this user created with this idempotency key, if any."""
        statement = select(JobRow).where(JobRow.user_id == user_id, JobRow.idempotency_key == key)
        row = self.session.scalar(statement)
        return _record(row) if row else None

    def page(self, user_id: str, status: JobStatus | None, limit: int, offset: int) -> tuple[list[JobRecord], int]:
        """One user's jobs, newest first, and how many there are in all."""
        condition = [JobRow.user_id == user_id]
        if status is not None:
            condition.append(JobRow.status == status)
        total = self.session.scalar(select(func.count()).select_from(JobRow).where(*condition)) or 0
        newest_first = select(JobRow).where(*condition).order_by(JobRow.created_at.desc(), JobRow.id)
        return [_record(row) for row in self.session.scalars(newest_first.limit(limit).offset(offset))], total

    def due(self, now: datetime, limit: int) -> list[JobRecord]:
        """Unfinished jobs whose next poll is due, most overdue first."""
        statement = select(JobRow).where(JobRow.next_poll_at <= now).order_by(JobRow.next_poll_at, JobRow.id)
        return [_record(row) for row in self.session.scalars(statement.limit(limit))]

    def outputs_due(self, now: datetime, limit: int) -> list[JobRecord]:
        """Completed jobs whose outputs are due to be copied in, most overdue first."""
        statement = select(JobRow).where(JobRow.outputs_due_at <= now).order_by(JobRow.outputs_due_at, JobRow.id)
        return [_record(row) for row in self.session.scalars(statement.limit(limit))]

    def outputs(self, job_id: str) -> list[JobOutput]:
        """A job's result files and their copies, by name."""
        rows = self.session.scalars(
            select(JobOutputRow).where(JobOutputRow.job_id == job_id).order_by(JobOutputRow.name)
        )
        return [_output(row) for row in rows]

    def save_output(self, output: JobOutput) -> None:
        """Record a copy's outcome (one row per job and name)."""
        row = self.session.scalar(
            select(JobOutputRow).where(JobOutputRow.job_id == output.job_id, JobOutputRow.name == output.name)
        )
        values = {name: getattr(output, name) for name in _OUTPUT_FIELDS}
        if row is None:
            self.session.add(JobOutputRow(**values))
        else:
            for name, value in values.items():
                setattr(row, name, value)
        self._flush()

    def change(self, job: JobRecord, now: datetime, **changes: Any) -> JobRecord | None:
        """Set fields of a job read at `job.version`; None, and nothing changed, if another writer
        changed it since (the optimistic lock). A child's parent row is locked first: every change in a
        family is serialised on its parent, so the parent's status is derived from what its children
        are, and rows are locked parent before child, families in order, never in a cycle."""
        if job.parent_id is not None:
            self.session.execute(select(JobRow.id).where(JobRow.id == job.parent_id).with_for_update())
        version = job.version + 1
        result = self.session.execute(
            update(JobRow)
            .where(JobRow.id == job.id, JobRow.version == job.version)
            .values(version=version, updated_at=now, **changes)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return None
        values = {name: getattr(job, name) for name in _FIELDS} | changes | {"version": version, "updated_at": now}
        return JobRecord(**values)

    def record_transition(self, job_id: str, transition: Transition) -> None:
        """Add a transition to a job's history (a second one of the same revision clashes)."""
        row = {
            "job_id": job_id,
            "revision": transition.revision,
            "previous_status": transition.previous_status,
            "status": transition.status,
            "at": transition.at,
            "reason": transition.reason,
        }
        try:  # one statement, no unit of work: a poll records a thousand of these
            self.session.execute(insert(JobTransitionRow), [row])
        except IntegrityError as error:
            raise DuplicateError(str(error.orig)) from error

    def history(self, job_id: str) -> list[Transition]:
        """A job's transitions, oldest first."""
        rows = self.session.scalars(
            select(JobTransitionRow).where(JobTransitionRow.job_id == job_id).order_by(JobTransitionRow.revision)
        )
        return [
            Transition(
                revision=row.revision,
                previous_status=JobStatus(row.previous_status) if row.previous_status else None,
                status=JobStatus(row.status),
                at=row.at,
                reason=row.reason,
            )
            for row in rows
        ]


def _record(row: JobRow) -> JobRecord:
    values = {name: getattr(row, name) for name in _FIELDS}
    return JobRecord(**values | {"status": JobStatus(row.status)})


def _requested_order(job: JobRecord) -> int:
    return int((job.routing or {}).get("position", 0))


def _output(row: JobOutputRow) -> JobOutput:
    values = {name: getattr(row, name) for name in _OUTPUT_FIELDS}
    return JobOutput(**values | {"status": OutputStatus(row.status)})

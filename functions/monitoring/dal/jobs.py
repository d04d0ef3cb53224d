"""Jobs as their events told them: one row each, read locked and written back by the logic."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitoring.dal.tables import JobRow
from monitoring.domain import STAGES, JobFacts, Stamp

# the facts stored as they are, a column each; a stage's stamp is two columns, `<stage>_at` and `_revision`
_PLAIN = tuple(field.name for field in fields(JobFacts) if field.name not in STAGES)
_IN_LIMIT = 500


class Jobs:
    """The jobs table. Rows read in a transaction are kept for it, so that a batch of events touching
    the same job reads it once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._rows: dict[str, JobRow | None] = {}

    def preload(self, job_ids: Iterable[str]) -> None:
        """Read (and lock) these jobs in a few statements, for a batch of events about them."""
        wanted = sorted({job_id for job_id in job_ids if job_id not in self._rows})  # locked in id order
        for start in range(0, len(wanted), _IN_LIMIT):
            chunk = wanted[start : start + _IN_LIMIT]
            found = self.session.scalars(
                select(JobRow).where(JobRow.job_id.in_(chunk)).order_by(JobRow.job_id).with_for_update()
            )
            by_id = {row.job_id: row for row in found}
            self._rows.update({job_id: by_id.get(job_id) for job_id in chunk})

    def get(self, job_id: str) -> JobFacts | None:
        """A job's facts, locked until the transaction ends; None for a job not seen yet."""
        if job_id not in self._rows:
            self._rows[job_id] = self.session.scalar(select(JobRow).where(JobRow.job_id == job_id).with_for_update())
        row = self._rows[job_id]
        return None if row is None else _facts(row)

    def put(self, job: JobFacts) -> None:
        """Store a job's facts."""
        values = _values(job)
        row = self._rows.get(job.job_id)
        if row is None:
            row = JobRow(**values)
            self.session.add(row)
            self._rows[job.job_id] = row
            return
        for name, value in values.items():
            setattr(row, name, value)


def _facts(row: JobRow) -> JobFacts:
    stamps: dict[str, Any] = {
        stage: Stamp(at, revision)
        for stage in STAGES
        if (at := getattr(row, f"{stage}_at")) is not None
        and (revision := getattr(row, f"{stage}_revision")) is not None
    }
    return JobFacts(**{name: getattr(row, name) for name in _PLAIN}, **stamps)


def _values(job: JobFacts) -> dict[str, object]:
    values: dict[str, object] = {name: getattr(job, name) for name in _PLAIN}
    for stage in STAGES:
        stamp: Stamp | None = getattr(job, stage)
        values[f"{stage}_at"] = stamp.at if stamp else None
        values[f"{stage}_revision"] = stamp.revision if stamp else None
    return values

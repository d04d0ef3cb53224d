"""Jobs' progress as their events told it: the newest revision of each job."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from notifications.dal.tables import JobProgressRow


class JobProgress:
    """The job_progress table."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def advance(self, job_id: str, revision: int, status: str, changed_at: datetime) -> bool:
        """Record a job's transition if it is newer than any seen; whether it was (an older or the same
        revision, arriving late or again, changes nothing)."""
        row = self.session.get(JobProgressRow, job_id, with_for_update=True)
        if row is None:
            self.session.add(JobProgressRow(job_id=job_id, revision=revision, status=status, changed_at=changed_at))
        elif revision > row.revision:
            row.revision, row.status, row.changed_at = revision, status, changed_at
        else:
            return False
        self.session.flush()
        return True

"""jobs.retry_of: a retried job names the job it tries again

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 01:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retry_of", sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f("ix_jobs_retry_of"), ["retry_of"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_retry_of"))
        batch_op.drop_column("retry_of")

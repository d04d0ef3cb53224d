"""job_outputs, jobs.outputs_due_at and jobs.password_ciphertext: a completed job's result files copied
into the files domain, and the result archives' password, encrypted

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 02:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fip_core.database

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_outputs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.String(length=36), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("updated_at", fip_core.database.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_outputs")),
        sa.UniqueConstraint("job_id", "name", name=op.f("uq_job_outputs_job_id_name")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outputs_due_at", fip_core.database.UtcDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_jobs_outputs_due_at"), ["outputs_due_at"], unique=False)
        batch_op.add_column(sa.Column("password_ciphertext", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("password_ciphertext")
        batch_op.drop_index(batch_op.f("ix_jobs_outputs_due_at"))
        batch_op.drop_column("outputs_due_at")
    op.drop_table("job_outputs")

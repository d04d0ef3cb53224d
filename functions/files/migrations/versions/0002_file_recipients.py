"""file_recipients: every service a file was sent to, for which job and when (for ethics reports)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 06:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fip_core.database

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "file_recipients",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("file_id", sa.String(length=36), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("service_name", sa.String(length=255), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("at", fip_core.database.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_recipients")),
    )
    with op.batch_alter_table("file_recipients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_file_recipients_file_id"), ["file_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("file_recipients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_file_recipients_file_id"))
    op.drop_table("file_recipients")

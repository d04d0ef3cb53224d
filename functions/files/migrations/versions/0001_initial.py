"""files, file actions, outbox, inbox, quarantine

Revision ID: 0001
Revises:
Create Date: 2026-12-01 21:28:27.051129
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fip_core.database

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "file_actions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("file_id", sa.String(length=36), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("at", fip_core.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_actions")),
    )
    with op.batch_alter_table("file_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_file_actions_file_id"), ["file_id"], unique=False)

    op.create_table(
        "files",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("job_id", sa.String(length=64), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("key", sa.String(length=1024), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("build", sa.String(length=8), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("upload_id", sa.String(length=1024), nullable=True),
        sa.Column("part_size", sa.BigInteger(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.Column("created_at", fip_core.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", fip_core.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column("validated_at", fip_core.database.UtcDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", fip_core.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expiry_warned_at", fip_core.database.UtcDateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", fip_core.database.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_files")),
        sa.UniqueConstraint("key", name=op.f("uq_files_key")),
    )
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.create_index("ix_files_expiry", ["deleted_at", "expires_at"], unique=False)
        batch_op.create_index("ix_files_owner_created", ["user_id", "created_at"], unique=False)

    op.create_table(
        "inbox_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("detail_type", sa.String(length=128), nullable=False),
        sa.Column("source", sa.String(length=128), nullable=False),
        sa.Column("applied_at", fip_core.database.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_inbox_events")),
    )
    op.create_table(
        "outbox_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("detail_type", sa.String(length=128), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", fip_core.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column("published_at", fip_core.database.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
    )
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_events_unpublished", ["published_at", "created_at"], unique=False)

    op.create_table(
        "quarantined_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=True),
        sa.Column("detail_type", sa.String(length=128), nullable=False),
        sa.Column("source", sa.String(length=128), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("event", sa.JSON(), nullable=False),
        sa.Column("received_at", fip_core.database.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantined_events")),
    )
    with op.batch_alter_table("quarantined_events", schema=None) as batch_op:
        batch_op.create_index("ix_quarantined_events_received", ["received_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("quarantined_events", schema=None) as batch_op:
        batch_op.drop_index("ix_quarantined_events_received")

    op.drop_table("quarantined_events")
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_events_unpublished")

    op.drop_table("outbox_events")
    op.drop_table("inbox_events")
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.drop_index("ix_files_owner_created")
        batch_op.drop_index("ix_files_expiry")

    op.drop_table("files")
    with op.batch_alter_table("file_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_file_actions_file_id"))

    op.drop_table("file_actions")

"""messages, notifications, deliveries, preferences, suppressions, inbox, outbox, quarantine

Revision ID: 0001
Revises:
Create Date: 2026-12-01 22:28:57.467848
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fip_core.database
from fip_core.migrations import create_event_inbox_tables, drop_event_inbox_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_event_inbox_tables()
    op.create_table(
        "deliveries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("message_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.String(length=255), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", fip_core.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", fip_core.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", fip_core.database.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("message_id", "user_id", name=op.f("uq_deliveries_message_id_user_id")),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_deliveries_status", ["status", "updated_at"], unique=False)

    op.create_table(
        "messages",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=True),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("occurred_at", fip_core.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_at", fip_core.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column("dispatched_at", fip_core.database.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint("event_id", name=op.f("uq_messages_event_id")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index("ix_messages_undispatched", ["dispatched_at", "created_at"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("message_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=1024), nullable=True),
        sa.Column("created_at", fip_core.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column("read_at", fip_core.database.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("message_id", "user_id", name=op.f("uq_notifications_message_id_user_id")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_owner_created", ["user_id", "created_at"], unique=False)
        batch_op.create_index("ix_notifications_owner_unread", ["user_id", "read_at"], unique=False)

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
        "preferences",
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("updated_at", fip_core.database.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_preferences")),
    )
    op.create_table(
        "suppressions",
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("feedback_id", sa.String(length=255), nullable=True),
        sa.Column("suppressed_at", fip_core.database.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_suppressions")),
    )


def downgrade() -> None:
    op.drop_table("suppressions")
    op.drop_table("preferences")
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_events_unpublished")

    op.drop_table("outbox_events")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_owner_unread")
        batch_op.drop_index("ix_notifications_owner_created")

    op.drop_table("notifications")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_undispatched")

    op.drop_table("messages")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_status")

    op.drop_table("deliveries")
    drop_event_inbox_tables()

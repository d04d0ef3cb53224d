"""jobs, job counts and days, services, their hours and latency; inbox, outbox, quarantine

Revision ID: 0001
Revises:
Create Date: 2026-12-02 10:00:00
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
    # the outbox of the domain's metadata: monitoring publishes nothing yet, and the table stays empty
    op.create_table(
        "outbox_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("detail_type", sa.String(length=128), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", fip_core.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column("published_at", fip_core.database.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
    )
    op.create_index("ix_outbox_events_unpublished", "outbox_events", ["published_at", "created_at"], unique=False)
    op.create_table(
        "job_counts",
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("scope_key", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "scope_key", "status", name=op.f("pk_job_counts")),
    )
    op.create_table(
        "job_days",
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("scope_key", sa.String(length=128), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=16), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "scope_key", "day", "metric", "bucket", name=op.f("pk_job_days")),
    )
    op.create_index("ix_job_days_day", "job_days", ["day"], unique=False)
    op.create_table(
        "jobs",
        sa.Column("job_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("service_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", fip_core.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column("changed_at", fip_core.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", fip_core.database.UtcDateTime(timezone=True), nullable=True),
        sa.Column("submitted_revision", sa.Integer(), nullable=True),
        sa.Column("queued_at", fip_core.database.UtcDateTime(timezone=True), nullable=True),
        sa.Column("queued_revision", sa.Integer(), nullable=True),
        sa.Column("running_at", fip_core.database.UtcDateTime(timezone=True), nullable=True),
        sa.Column("running_revision", sa.Integer(), nullable=True),
        sa.Column("finished_at", fip_core.database.UtcDateTime(timezone=True), nullable=True),
        sa.Column("finished_revision", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_jobs")),
    )
    op.create_table(
        "service_hours",
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("hour", fip_core.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column("checks", sa.Integer(), nullable=False),
        sa.Column("healthy", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("service_id", "hour", name=op.f("pk_service_hours")),
    )
    op.create_index("ix_service_hours_hour", "service_hours", ["hour"], unique=False)
    op.create_table(
        "service_latency",
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("hour", fip_core.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("service_id", "hour", "bucket", name=op.f("pk_service_latency")),
    )
    op.create_index("ix_service_latency_hour", "service_latency", ["hour"], unique=False)
    op.create_table(
        "services",
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("slug", sa.String(length=63), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_at", fip_core.database.UtcDateTime(timezone=True), nullable=True),
        sa.Column("recovered_at", fip_core.database.UtcDateTime(timezone=True), nullable=True),
        sa.Column("deactivated_at", fip_core.database.UtcDateTime(timezone=True), nullable=True),
        sa.Column("at_risk_since", fip_core.database.UtcDateTime(timezone=True), nullable=True),
        sa.Column("deactivates_at", fip_core.database.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("service_id", name=op.f("pk_services")),
    )


def downgrade() -> None:
    op.drop_table("services")
    op.drop_index("ix_service_latency_hour", table_name="service_latency")
    op.drop_table("service_latency")
    op.drop_index("ix_service_hours_hour", table_name="service_hours")
    op.drop_table("service_hours")
    op.drop_table("jobs")
    op.drop_index("ix_job_days_day", table_name="job_days")
    op.drop_table("job_days")
    op.drop_table("job_counts")
    op.drop_index("ix_outbox_events_unpublished", table_name="outbox_events")
    op.drop_table("outbox_events")
    drop_event_inbox_tables()

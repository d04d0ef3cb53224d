"""health checks indexed by time, for pruning and uptime over all services

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 04:05:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # every sweep deletes the checks past retention, and the overview reads 30 days of all services:
    # without this both scan the whole history
    op.create_index("ix_health_checks_checked_at", "health_checks", ["checked_at"])


def downgrade() -> None:
    op.drop_index("ix_health_checks_checked_at", table_name="health_checks")

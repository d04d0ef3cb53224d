"""the inbox and quarantine of received events

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 16:00:00
"""

from collections.abc import Sequence

from fip_core.migrations import create_event_inbox_tables, drop_event_inbox_tables

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_event_inbox_tables()


def downgrade() -> None:
    drop_event_inbox_tables()

"""each service's queue load, as its last healthy probe reported it

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 02:00:00

The ranking of services for a job (`GET /services/discover`) weighs how busy each service is: a
Cloudgene server's `queue.size` (`/api/v2/server/counters`), a WES node's queued and running runs
(`system_state_counts`). Null until the next healthy check reports it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("imputation_services") as table:
        table.add_column(sa.Column("queue_load", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("imputation_services") as table:
        table.drop_column("queue_load")

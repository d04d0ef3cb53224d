"""the workflow a WES service runs for a job

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 06:00:00

A GA4GH WES node runs whatever workflow a run names, so the registry records, for each WES service,
which one an imputation job runs there and how its `workflow_params` are filled
(`fip_core.wes_workflow.WesWorkflow`, as JSON). Null for Cloudgene services, and for a WES service
not yet given one, which takes no jobs.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("imputation_services") as table:
        table.add_column(sa.Column("workflow", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("imputation_services") as table:
        table.drop_column("workflow")

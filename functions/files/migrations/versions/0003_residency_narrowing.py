"""files.allowed_countries, files.allowed_services: the owner's narrowing of the residency policy

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 10:00:00.000000

A user may narrow where their own file may go, within the platform's residency policy (the registry's):
the countries and the services jobs may send it to. Existing files narrow nothing ([]).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("files") as table:
        table.add_column(sa.Column("allowed_countries", sa.JSON(), nullable=False, server_default="[]"))
        table.add_column(sa.Column("allowed_services", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("files") as table:
        table.drop_column("allowed_services")
        table.drop_column("allowed_countries")

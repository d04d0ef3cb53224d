"""the platform's residency policy

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:00:00

Genotype data may be bound by consent and national law to some countries or named services: the
registry keeps the platform's rule, one row, set by administrators (no row: no restriction). Service
countries were already recorded (`imputation_services.country`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fip_core.database

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "residency_policy",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("allowed_countries", sa.JSON(), nullable=False),
        sa.Column("allowed_services", sa.JSON(), nullable=False),
        sa.Column("updated_at", fip_core.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_residency_policy")),
    )


def downgrade() -> None:
    op.drop_table("residency_policy")

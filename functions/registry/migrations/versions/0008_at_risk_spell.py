"""the spell of ill health a service was last found at risk in

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:00:00

The sweep queues one ServiceAtRisk per spell of ill health, when a service has been unhealthy for all
but the last days before it would be deactivated. The column holds the `unhealthy_since` of the spell
it was queued for: a later sweep in the same spell finds them equal and queues nothing; a service that
recovers and falls ill again has another `unhealthy_since`, so its new spell is warned about. Null for
a service never found at risk.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fip_core.database

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("imputation_services") as table:
        table.add_column(sa.Column("at_risk_spell", fip_core.database.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("imputation_services") as table:
        table.drop_column("at_risk_spell")

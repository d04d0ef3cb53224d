"""Alembic environment of the monitoring database."""

from alembic import context

from fip_core.migrations import run_migrations
from monitoring.dal.tables import metadata

run_migrations(context, metadata)

"""Alembic environment of the jobs database."""

from alembic import context

from fip_core.migrations import run_migrations
from jobs.dal.tables import metadata

run_migrations(context, metadata)

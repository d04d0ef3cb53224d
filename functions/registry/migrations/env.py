"""Alembic environment of the registry database."""

from alembic import context

from fip_core.migrations import run_migrations
from registry.dal.tables import metadata

run_migrations(context, metadata)

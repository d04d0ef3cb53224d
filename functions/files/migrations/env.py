"""Alembic environment of the files database."""

from alembic import context

from files.dal.tables import metadata
from fip_core.migrations import run_migrations

run_migrations(context, metadata)

"""Alembic environment of the users database."""

from alembic import context

from fip_core.migrations import run_migrations
from users.dal.tables import metadata

run_migrations(context, metadata)

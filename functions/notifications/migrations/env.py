"""Alembic environment of the notifications database."""

from alembic import context

from fip_core.migrations import run_migrations
from notifications.dal.tables import metadata

run_migrations(context, metadata)

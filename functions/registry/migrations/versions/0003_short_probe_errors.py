"""health errors as short fixed words; probe details in their typed shape

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 10:00:00

Checks used to store the far side's own words (errno texts, certificate names, maintenance
messages); the API now shows only a few fixed words. Stored errors are rewritten to those words.
What healthy services' last probes reported is dropped: it was stored untyped, and the next healthy
check (within 15 minutes) stores it again in its typed shape.
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HTTP_STATUS = re.compile(r"answered HTTP ([1-5][0-9][0-9])")
# the phrases the earlier probes wrote, most specific first, and the word each means
_PHRASES = (
    ("CERTIFICATE_VERIFY_FAILED", "TLS"),
    ("SSL", "TLS"),
    ("Connection refused", "refused"),
    ("Name or service not known", "DNS"),
    ("Temporary failure in name resolution", "DNS"),
    ("could not connect", "unreachable"),
    ("did not answer in time", "timed out"),
    ("no complete answer within", "timed out"),
    ("redirected too many times", "too many redirects"),
    ("more than 1 MiB", "too large"),
    ("not JSON", "not JSON"),
    ("not Cloudgene server info", "not a Cloudgene answer"),
    ("without WES fields", "not a WES answer"),
    ("maintenance mode", "in maintenance"),
    ("failed:", "connection lost"),
)


def short_error(text: str) -> str:
    """The short word for an error the earlier probes wrote."""
    status = _HTTP_STATUS.search(text)
    if status:
        return f"HTTP {status.group(1)}"
    return next((word for phrase, word in _PHRASES if phrase in text), "check failed")


def upgrade() -> None:
    connection = op.get_bind()
    for table, column in (("health_checks", "error"), ("imputation_services", "last_error")):
        errors = sa.table(table, sa.column(column))
        found = connection.execute(sa.select(errors.c[column]).where(errors.c[column].is_not(None)).distinct())
        for (text,) in found.all():
            connection.execute(sa.update(errors).where(errors.c[column] == text).values({column: short_error(text)}))
    services = sa.table("imputation_services", sa.column("probe_details", sa.JSON))
    connection.execute(sa.update(services).values(probe_details=sa.null()))


def downgrade() -> None:
    # the short words fit the earlier columns as they are, and the earlier code reads them as text
    pass

"""The system clock, which the handlers hand to the logic (tests hand it theirs)."""

from __future__ import annotations

from datetime import UTC, datetime


def system_clock() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)

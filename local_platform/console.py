"""The platform's own lines on the console: status to stdout, failures (with tracebacks) to stderr.

Every module logs to a child of the `local_platform` logger; the handler's logs (Powertools, JSON)
keep their own handlers and level.
"""

from __future__ import annotations

import logging
import sys

LOGGER_NAME = "local_platform"


class _BelowWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno < logging.WARNING


def configure_console(level: int = logging.INFO) -> None:
    """Show the platform's lines as plain text: INFO and below on stdout, warnings and errors on stderr."""
    platform_logger = logging.getLogger(LOGGER_NAME)
    platform_logger.setLevel(level)
    platform_logger.propagate = False
    for handler in list(platform_logger.handlers):
        platform_logger.removeHandler(handler)
    status = logging.StreamHandler(sys.stdout)
    status.addFilter(_BelowWarning())
    problems = logging.StreamHandler(sys.stderr)
    problems.setLevel(logging.WARNING)
    for handler in (status, problems):
        handler.setFormatter(logging.Formatter("%(message)s"))
        platform_logger.addHandler(handler)

"""What `fip` prints: the API's JSON as it came (`--json`, for scripts) or tables for people, on
standard output; progress bars and messages on standard error, so that the output stays parseable."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    ProgressColumn,
    TaskProgressColumn,
    TextColumn,
    TransferSpeedColumn,
)
from rich.table import Table
from rich.text import Text

PIPED_WIDTH = 1000

# no wrapping: a line is for a log or another program as much as for a person; piped, a table is as wide
# as its widest row, so that no id is cut
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else PIPED_WIDTH)
err = Console(stderr=True, soft_wrap=True, highlight=False)


def say(message: str) -> None:
    """A message for the person on standard error, printed as it is (no markup)."""
    err.print(message, markup=False)


def show_error(message: str) -> None:
    """An error on standard error: `Error:` and the message, printed as it is."""
    err.print(Text.assemble(("Error:", "red"), " ", message))


def show_json(data: Any) -> None:
    """The data as indented JSON, unstyled."""
    print(json.dumps(data, indent=2, default=str))  # noqa: T201 - the command's output


def show_table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]], empty: str) -> None:
    """Rows as a table of `(key, heading)` columns; a nested key is `health.status`."""
    if not rows:
        say(empty)
        return
    table = Table(box=None, header_style="bold")
    for _, heading in columns:
        table.add_column(heading, overflow="fold")  # a narrow terminal folds a cell: an id is never cut
    for row in rows:
        table.add_row(*[_cell(row, key) for key, _ in columns])
    out.print(table)


def _cell(row: dict[str, Any], key: str) -> str:
    value: Any = row
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value is None:
        return "-"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def transfer_progress(enabled: bool) -> Progress:
    """Progress bars of bytes moved, on standard error when it is a terminal."""
    return _bars(enabled, DownloadColumn(), TransferSpeedColumn())


def job_progress(enabled: bool) -> Progress:
    """A progress bar of a job's percent done and status, on standard error when it is a terminal."""
    return _bars(enabled, TextColumn("{task.fields[status]}"))


def _bars(enabled: bool, *columns: ProgressColumn) -> Progress:
    """Each task's name, bar and percentage, then these columns (a `Progress` is its own context manager)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        *columns,
        console=err,
        disable=not enabled or not err.is_terminal,
    )

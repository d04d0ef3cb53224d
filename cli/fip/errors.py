"""What `fip` reports and exits with when something goes wrong."""

from __future__ import annotations

from typing import Any


class CliError(Exception):
    """A failure to report as one line on standard error, with a non-zero exit status."""

    exit_code = 1


class ApiError(CliError):
    """An error answer from the platform: its problem JSON's `detail` (or `title`) and field errors."""

    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body if isinstance(body, dict) else {}
        detail = self.body.get("detail") or self.body.get("title") or f"the platform answered HTTP {status}"
        fields = [
            f"{error.get('location')}: {error.get('message')}"
            for error in self.body.get("errors") or []
            if isinstance(error, dict) and str(error.get("message")) not in str(detail)  # said once is enough
        ]
        super().__init__("; ".join([str(detail), *fields]))

"""The ranges of a large file validated by invocations of the internal `validate-range` function, all
at once, each with a processor of its own (Lambda gives each invocation its own)."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from typing import Any

from files import DOMAIN
from files.validation import Header, Limits, RangeResult
from files.validation.wire import result_from_json
from fip_core import calls
from fip_core.declaration import InternalCall


class RangeValidationError(RuntimeError):
    """A range could not be validated: the validation fails, and S3's event is delivered again."""


class InvokedRanges:
    """Sends each range to an invocation of `call`'s target and reads the results back."""

    def __init__(self, call: InternalCall) -> None:
        self.call = call

    def __call__(
        self, key: str, size: int, ranges: Sequence[tuple[int, int | None]], limits: Limits, header: Header
    ) -> list[RangeResult]:
        """One result per range, in order."""
        common = {"key": key, "size": size, "limits": asdict(limits)}
        requests = [
            {**common, "start": start, "end": end, "samples": [] if start == 0 else list(header.samples)}
            for start, end in ranges
        ]
        with ThreadPoolExecutor(len(requests)) as pool:
            answers = list(pool.map(self._invoke, requests))
        return [result_from_json(answer, limits) for answer in answers]

    def _invoke(self, request: dict[str, Any]) -> dict[str, Any]:
        answer = calls.invoke(DOMAIN, self.call, request)
        if not isinstance(answer, dict) or "error" in answer:
            detail = answer.get("detail") if isinstance(answer, dict) else answer
            raise RangeValidationError(f"range {request['start']}-{request['end']} of {request['key']}: {detail}")
        return answer

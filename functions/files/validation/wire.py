"""A range's result as JSON, to travel between the function that splits a large file and the
invocations that validate its ranges (Lambda's Invoke takes and answers JSON, not Python objects).

Only what `merge` reads is carried: the range's findings and counts, its line count, the text before
its first end of line and after its last, its first record, its chromosome changes (at most
`MAX_CHANGES`), where it stopped, and for the first range the header it read. Bytes travel as base64; the
scanner's caches stay behind.
"""

from __future__ import annotations

import base64
from dataclasses import asdict
from typing import Any

from files.validation.engine import RangeResult
from files.validation.model import Finding, Limits
from files.validation.records import Header, Locus, Scanner, Tally


def result_to_json(result: RangeResult) -> dict[str, Any]:
    """What `result_from_json` reads back into an equal result."""
    scanner = result.scanner
    return {
        "start": result.start,
        "fatal": result.fatal,
        "eof_block": result.eof_block,
        # the file's samples, from the range that read the header: the others were given them
        "header": list(scanner.header.samples) if scanner.header is not None and result.start == 0 else None,
        "in_header": scanner.in_header,
        "header_broken": scanner.header_broken,
        "newlines": scanner.newlines,
        "head": _bytes_out(scanner.head),
        "awaiting_head": scanner.awaiting_head,
        "carry": _bytes_out(scanner.carry),
        "records": scanner.records,
        "first": _locus_out(scanner.first),
        "chromosome": _bytes_out(scanner.chromosome),
        "position": scanner.position,
        "changes": [_locus_out(change) for change in scanner.changes],
        "gt_seen": scanner.gt_seen,
        "unphased": scanner.unphased,
        "findings": [asdict(found) for found in scanner.tally.first.values()],
        "counts": scanner.tally.counts,
    }


def result_from_json(data: dict[str, Any], limits: Limits) -> RangeResult:
    """A range's result from its JSON form; `KeyError`, `TypeError` or `ValueError` when it is not one."""
    header = None if data["header"] is None else Header(tuple(str(sample) for sample in data["header"]))
    scanner = Scanner(limits, header, at_start=data["start"] == 0)
    scanner.in_header = bool(data["in_header"])
    scanner.header_broken = bool(data["header_broken"])
    scanner.newlines = int(data["newlines"])
    scanner.head = _bytes_in(data["head"])
    scanner.awaiting_head = bool(data["awaiting_head"])
    scanner.carry = _bytes_in(data["carry"]) or b""
    scanner.records = int(data["records"])
    scanner.first = _locus_in(data["first"])
    scanner.chromosome = _bytes_in(data["chromosome"])
    scanner.position = int(data["position"])
    scanner.changes = [locus for change in data["changes"] if (locus := _locus_in(change)) is not None]
    scanner.gt_seen = bool(data["gt_seen"])
    scanner.unphased = bool(data["unphased"])
    findings = [Finding(**found) for found in data["findings"]]
    scanner.tally = Tally(
        first={found.rule: found for found in findings},
        counts={str(rule): int(count) for rule, count in data["counts"].items()},
    )
    return RangeResult(int(data["start"]), scanner, fatal=bool(data["fatal"]), eof_block=bool(data["eof_block"]))


def _bytes_out(value: bytes | None) -> str | None:
    return None if value is None else base64.b64encode(value).decode("ascii")


def _bytes_in(value: str | None) -> bytes | None:
    return None if value is None else base64.b64decode(value, validate=True)


def _locus_out(locus: Locus | None) -> dict[str, Any] | None:
    if locus is None:
        return None
    return {"chromosome": _bytes_out(locus.chromosome), "position": locus.position, "line": locus.line}


def _locus_in(data: dict[str, Any] | None) -> Locus | None:
    if data is None:
        return None
    return Locus(_bytes_in(data["chromosome"]) or b"", int(data["position"]), int(data["line"]))

"""A validation in one pass, or split into byte ranges at block boundaries and merged.

A range is validated on its own (`validate_range`); what crosses its ends (the line cut at each
boundary, the order of positions, the chromosome) is checked when the ranges are merged (`merge`).
A single pass is one range from the start to the end, merged alone, so the two cannot disagree on
how a rule is applied.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import BinaryIO, Protocol

from files.validation.bgzf import SNIFF_BYTES, Readable, blocks, next_block_start, sniff
from files.validation.model import Build, Finding, Limits, Report, StreamError, Summary, finding
from files.validation.records import Header, Locus, Scanner, Tally

ALLOWED_CHROMOSOMES = frozenset([*(str(n) for n in range(1, 23)), "X", "23", "MT"])
HASH_CHUNK = 1024 * 1024


@dataclass
class RangeResult:
    """What one byte range found: its scanner's state, where it stopped and why."""

    start: int
    scanner: Scanner
    fatal: bool
    eof_block: bool


class _Checksum(Protocol):
    def update(self, data: bytes, /) -> None: ...


class _Counted:
    """A stream that counts (and optionally hashes) what is read through it, and can replay a peek."""

    def __init__(self, stream: Readable, checksum: _Checksum | None = None) -> None:
        self.stream = stream
        self.size = 0
        self.hash = checksum
        self.peeked = b""

    def peek(self, size: int) -> bytes:
        self.peeked = self.stream.read(size)
        return self.peeked

    def read(self, size: int) -> bytes:
        if self.peeked:
            data, self.peeked = self.peeked[:size], self.peeked[size:]
            if len(data) < size:
                data += self.stream.read(size - len(data))
        else:
            data = self.stream.read(size)
        self.size += len(data)
        if self.hash is not None:
            self.hash.update(data)
        return data


def validate(stream: Readable, limits: Limits | None = None, build: Build | None = None) -> Report:
    """Validate a whole file read from `stream` in one pass, in constant memory."""
    limits = limits or Limits()
    checksum = hashlib.sha256()
    counted = _Counted(stream, checksum)
    result = _scan(counted, 0, None, limits, None)
    while counted.read(HASH_CHUNK):  # a file refused before its end is still measured and hashed
        pass
    return merge([result], limits, build, size=counted.size, sha256=checksum.hexdigest())


def validate_range(stream: Readable, start: int, end: int | None, limits: Limits, header: Header | None) -> RangeResult:
    """Validate the blocks that begin in [start, end) of a file (`end` None: to its end), `stream`
    being positioned at `start`, a block boundary (an S3 GET with `Range: bytes=start-`). The range
    at 0 reads the header itself; any other is given it (`read_header`)."""
    return _scan(stream, start, end, limits, header)


def _scan(stream: Readable, start: int, end: int | None, limits: Limits, header: Header | None) -> RangeResult:
    scanner = Scanner(limits, header if start else None, at_start=start == 0)
    eof_block = False
    if start == 0:
        if not isinstance(stream, _Counted):
            stream = _Counted(stream)
        refused = sniff(stream.peek(SNIFF_BYTES))
        if refused is not None:
            scanner.tally.add(refused)
            return RangeResult(start, scanner, fatal=True, eof_block=False)
    try:
        for block in blocks(stream, start, end):
            eof_block = not block.data
            scanner.feed(block.data)
    except StreamError as error:
        scanner.tally.add(error.finding)
        return RangeResult(start, scanner.shed(), fatal=True, eof_block=False)
    return RangeResult(start, scanner.shed(), fatal=False, eof_block=eof_block)


def merge(results: list[RangeResult], limits: Limits, build: Build | None, *, size: int, sha256: str | None) -> Report:
    """One report from the results of consecutive ranges: each boundary's line checked, positions and
    chromosomes followed across boundaries, line numbers made the file's; nothing after a range
    whose stream broke."""
    first = results[0].scanner
    state = Scanner(limits, first.header, at_start=False)
    tally = Tally()
    base = 0
    carry = b""
    broken = False
    for index, result in enumerate(results):
        scanner = result.scanner
        if index:
            if scanner.awaiting_head:  # no end of line in the whole range
                carry += scanner.carry
            else:
                if not _scan_boundary(state, carry + (scanner.head or b""), base + 1):
                    broken = True
                    tally.absorb(state.tally, 0)
                    break
                carry = scanner.carry
        else:
            carry = scanner.carry
        _follow(state, scanner, base)
        tally.absorb(state.tally, 0)
        state.tally = Tally()
        tally.absorb(scanner.tally, base)
        base += scanner.newlines
        if result.fatal:
            broken = True
            break
    last = results[-1]
    if not broken:
        if first.in_header:
            tally.add(finding("header.chrom_line", "The file ends before the `#CHROM` line."))
        elif carry:
            tally.add(finding("stream.line_cut", "the last line is cut short.", line=base + 1))
        if not last.eof_block:
            tally.add(finding("stream.missing_eof", "The file ends without bgzip's end-of-file block."))
        if first.header is not None and not first.header_broken and not state.records:
            tally.add(finding("variants.none", "The file has no variant records."))
    detected = _check_chromosomes(state.changes, build, tally)
    findings = [_worded(found, tally.counts[rule]) for rule, found in tally.first.items()]
    findings.sort(key=lambda found: (found.line is None, found.line or 0))
    samples = len(first.header.samples) if first.header else 0
    summary = Summary(
        chromosome=state.changes[0].chromosome.decode("utf-8", "replace") if state.changes else None,
        build_detected=detected,
        samples=samples,
        variants=state.records,
        phased=(not state.unphased) if state.gt_seen else None,
        first_position=state.first.position if state.first else None,
        last_position=state.position or None,
        size_bytes=size,
        sha256=sha256,
    )
    return Report(findings, summary)


def _scan_boundary(state: Scanner, line: bytes, number: int) -> bool:
    """Check the line cut by a range boundary; False when it is too long to go on (as a single pass
    would stop there)."""
    if len(line) > state.limits.max_line_bytes:
        state.tally.add(
            finding(
                "record.line_too_long",
                f"longer than {state.limits.max_line_bytes} bytes.",
                line=number,
            )
        )
        return False
    if state.header is not None and not state.header_broken:
        state.scan([line], number)
    return True


def _follow(state: Scanner, scanner: Scanner, base: int) -> None:
    """Carry `state`, the pass so far, over the records of one range."""
    changes = [Locus(c.chromosome, c.position, c.line + base) for c in scanner.changes]
    if changes and changes[0].chromosome == state.chromosome:
        changes = changes[1:]
        first = scanner.first
        if first is not None and first.chromosome == state.chromosome and first.position < state.position:
            state.position = first.position  # what _unsorted reports against
            state.tally.add(
                finding(
                    "position.unsorted",
                    f"position {first.position} comes after position {state.position} on "
                    f"{first.chromosome.decode('utf-8', 'replace')}.",
                    line=first.line + base,
                    chromosome=first.chromosome.decode("utf-8", "replace"),
                    position=first.position,
                )
            )
    state.changes.extend(changes)
    if scanner.chromosome is not None:
        state.chromosome = scanner.chromosome
        state.position = scanner.position
    if state.first is None and scanner.first is not None:
        state.first = scanner.first
    state.records += scanner.records
    state.gt_seen |= scanner.gt_seen
    state.unphased |= scanner.unphased


def _check_chromosomes(changes: list[Locus], build: Build | None, tally: Tally) -> Build | None:
    """One chromosome, an allowed one, named as the build names it. Answers the build its name shows."""
    if not changes:
        return None
    distinct: dict[bytes, Locus] = {}
    for change in changes:
        distinct.setdefault(change.chromosome, change)
    names = list(distinct)
    first = names[0].decode("utf-8", "replace")
    detected: Build = "hg38" if first.startswith("chr") else "hg19"
    if len(names) > 1:
        other = distinct[names[1]]
        shown = ", ".join(name.decode("utf-8", "replace") for name in names[:5])
        tally.add(
            finding(
                "chromosome.multiple",
                f"the file holds more than one chromosome ({shown}); "
                f"{other.chromosome.decode('utf-8', 'replace')} starts here.",
                line=other.line,
                chromosome=other.chromosome.decode("utf-8", "replace"),
                position=other.position,
            )
        )
    for name, locus in distinct.items():
        text = name.decode("utf-8", "replace")
        bare = text.removeprefix("chr")
        if bare not in ALLOWED_CHROMOSOMES:
            tally.add(
                finding(
                    "chromosome.not_allowed",
                    f"chromosome `{text}` is not one the servers impute (1-22, X, MT).",
                    line=locus.line,
                    chromosome=text,
                    position=locus.position,
                )
            )
        elif build is not None and (text != bare) != (build == "hg38"):
            expected = f"chr{bare}" if build == "hg38" else bare
            tally.add(
                finding(
                    "chromosome.build_prefix",
                    f"chromosome `{text}` is not how {build} names it: `{expected}`.",
                    line=locus.line,
                    chromosome=text,
                    position=locus.position,
                )
            )
    return detected


def _worded(found: Finding, count: int) -> Finding:
    """The finding as reported: its line (the file's, known only now) first, its count last."""
    message = found.message if found.line is None else f"Line {found.line}: {found.message}"
    if count > 1:
        message += f" ({count} times in all.)"
    return replace(found, message=message)


class RangeSource(Protocol):
    """A file that can be read from any offset: a local file, or an S3 object through range GETs."""

    @property
    def size(self) -> int:
        """The file's size in bytes."""

    def open_at(self, offset: int) -> BinaryIO:
        """A stream of the file from `offset` to its end."""

    def read_at(self, offset: int, length: int) -> bytes:
        """At most `length` bytes from `offset`."""


def read_header(source: RangeSource, limits: Limits) -> tuple[Header, int] | None:
    """The header and the offset of the block after the one that ends it; None when the file is
    not a readable BGZF VCF with a well-formed header (then only a single pass says why)."""
    if sniff(source.read_at(0, SNIFF_BYTES)) is not None:
        return None
    scanner = Scanner(limits, None, at_start=True)
    with source.open_at(0) as stream:
        try:
            for block in blocks(stream):
                scanner.feed(block.data)
                if not scanner.in_header:
                    if scanner.header is None or scanner.header_broken:
                        return None
                    return scanner.header, block.offset + block.size
        except StreamError:
            return None
    return None


def plan(source: RangeSource, parts: int, after: int) -> list[tuple[int, int | None]]:
    """Up to `parts` byte ranges of about equal size, each starting at a block, the first taking the
    header (every boundary at or after `after`)."""
    starts = [0]
    for part in range(1, parts):
        offset = max(after, source.size * part // parts)
        start = next_block_start(source.read_at, offset, source.size)
        if start > starts[-1] and start < source.size:
            starts.append(start)
    ends: list[int | None] = [*starts[1:], None]
    return list(zip(starts, ends, strict=True))


def _range_task(source: RangeSource, start: int, end: int | None, limits: Limits, header: Header) -> RangeResult:
    with source.open_at(start) as stream:
        return _scan(stream, start, end, limits, header)


RangeRunner = Callable[[list[tuple[int, int | None]], Limits, Header], Iterable[RangeResult]]
"""Validates the ranges `(start, end)` of a source somewhere else (another invocation each) against the
limits and the header, answering their results in order."""


def validate_parallel(
    source: RangeSource,
    limits: Limits | None = None,
    build: Build | None = None,
    *,
    parts: int,
    run: Callable[..., Iterable[RangeResult]] | None = None,
    elsewhere: RangeRunner | None = None,
) -> Report:
    """Validate `source` split into `parts` ranges, merged into the report a single pass gives. The
    ranges are validated `elsewhere` when given, else here by `run` (an executor's `map`; the built-in
    `map` when not given). The checksum is computed in a thread alongside, from the start to the end."""
    limits = limits or Limits()
    found = read_header(source, limits)
    if found is None:
        with source.open_at(0) as stream:
            return validate(stream, limits, build)
    header, header_end = found
    ranges = plan(source, parts, header_end)
    digest: list[str] = []
    hasher = threading.Thread(target=lambda: digest.append(_sha256(source)))
    hasher.start()
    if elsewhere is not None:
        results = list(elsewhere(ranges, limits, header))
    else:
        results = list(
            (run or map)(
                _range_task,
                [source] * len(ranges),
                [start for start, _ in ranges],
                [end for _, end in ranges],
                [limits] * len(ranges),
                [header] * len(ranges),
            )
        )
    hasher.join()
    return merge(results, limits, build, size=source.size, sha256=digest[0])


def _sha256(source: RangeSource) -> str:
    checksum = hashlib.sha256()
    with source.open_at(0) as stream:
        while chunk := stream.read(HASH_CHUNK):
            checksum.update(chunk)
    return checksum.hexdigest()


@dataclass(frozen=True)
class LocalFile:
    """A local file as a RangeSource (picklable, so ranges can run in processes)."""

    path: str
    size: int

    def open_at(self, offset: int) -> BinaryIO:
        """The file opened and positioned at `offset`."""
        stream = open(self.path, "rb")  # noqa: SIM115 - the caller closes it
        stream.seek(offset)
        return stream

    def read_at(self, offset: int, length: int) -> bytes:
        """At most `length` bytes from `offset`."""
        with open(self.path, "rb") as stream:
            stream.seek(offset)
            return stream.read(length)

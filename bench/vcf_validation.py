"""VCF validation benchmark: the pre-flight validator (files.validation) on a generated bgzipped VCF
of 1,000 phased samples and at least 500 MB uncompressed, against cyvcf2 (htslib) iterating the same
file in the same run, single-threaded, reading every record's `gt_types`.

Printed, one JSON line each:
- the single pass: `wall_s`, `mb_per_s` (uncompressed MB a second), `cyvcf2_mb_per_s`,
  `peak_rss_mb` (the validator alone, in a fresh process), the decompressors' own speeds on the
  same blocks (`inflate_isal_mb_per_s`, `inflate_zlib_mb_per_s`), and `max_gb_in_15_min`: the
  largest file (uncompressed) one validation reads within Lambda's 15 minutes at that speed;
- the parallel split over processes (`workers`), with its `wall_s`, `mb_per_s` and `peak_rss_mb`.
Floors: faster than cyvcf2 on one core; peak memory under 150 MB.

The file is generated once into `.state/bench/` (about 30 s) and reused. Run with `make bench` (or
`python -m bench.vcf_validation`). The machine's other work shows in the figures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path
from typing import Any

SAMPLES = 1000
MIN_UNCOMPRESSED = 500_000_000
RECORDS_PER_CHUNK = 500
# the measured process imports the validator alone, not the platform's modules (boto3 and the like)
REPO_ROOT = Path(__file__).resolve().parent.parent
CACHE = REPO_ROOT / ".state" / "bench"
LAMBDA_SECONDS = 15 * 60
RSS_FLOOR_MB = 150
SEED = 9


def _prefix(position: int) -> bytes:
    return b"20\t%d\trs%d\tA\tG\t.\tPASS\t.\tGT\t" % (position, position)


def _records() -> int:
    line = len(_prefix(60_000)) + 4 * SAMPLES  # positions only grow from there: lines only get longer
    return MIN_UNCOMPRESSED // line + 1


def generate(path: Path) -> int:
    """Write the synthetic VCF (chromosome 20, phased GTs drawn at allele frequencies skewed to rare
    variants, as real panels are) as BGZF; answer its uncompressed size."""
    import numpy as np

    from tests.support.bgzf import EOF_BLOCK, blocks

    rng = np.random.default_rng(SEED)
    header = (
        b"##fileformat=VCFv4.2\n##contig=<ID=20,length=64444167>\n"
        b'##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
        b"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t"
        + b"\t".join(b"S%05d" % n for n in range(SAMPLES))
        + b"\n"
    )
    records = _records()
    total = len(header)

    def chunks() -> Any:
        nonlocal total
        yield header
        position = 60_000
        for first in range(0, records, RECORDS_PER_CHUNK):
            count = min(RECORDS_PER_CHUNK, records - first)
            frequencies = rng.beta(0.3, 2.0, size=(count, 1)).astype(np.float32)
            alleles = (rng.random((count, 2 * SAMPLES), dtype=np.float32) < frequencies).astype(np.uint8) + ord("0")
            cells = np.empty((count, SAMPLES, 4), dtype=np.uint8)
            cells[:, :, 0] = alleles[:, 0::2]
            cells[:, :, 1] = ord("|")
            cells[:, :, 2] = alleles[:, 1::2]
            cells[:, :, 3] = ord("\t")
            cells[:, -1, 3] = ord("\n")
            lines = []
            for row in cells.reshape(count, 4 * SAMPLES):
                position += int(rng.integers(1, 400))
                lines.append(_prefix(position) + row.tobytes())
            text = b"".join(lines)
            total += len(text)
            yield text

    partial = path.with_suffix(".partial")
    with partial.open("wb") as out:
        for compressed in blocks(chunks(), level=1):
            out.write(compressed)
        out.write(EOF_BLOCK)
    partial.rename(path)
    return total


def cached_file() -> tuple[Path, float]:
    """The generated file (made once, then kept under `.state/bench`) and its uncompressed size in MB."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"vcf-{SAMPLES}x{_records()}-seed{SEED}.vcf.gz"
    size_file = path.with_suffix(".size")
    if not path.exists() or not size_file.exists():
        size_file.write_text(str(generate(path)))
    return path, int(size_file.read_text()) / 1e6


def _status_kb(pid: int | str, field: str, table: str = "status") -> int:
    """A figure (kB) of /proc/<pid>/status or smaps_rollup, 0 when the process has gone."""
    try:
        for line in Path(f"/proc/{pid}/{table}").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class _TreeSampler(threading.Thread):
    """The largest memory of this process and its children together, sampled every 20 ms (the
    workers' memory is steady, so a sample catches its peak). PSS, not RSS: forked workers share the
    parent's pages, which RSS would count once per process."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kb = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.02):
            children = Path(f"/proc/self/task/{os.getpid()}/children").read_text().split()
            pids = ["self", *children]
            total = sum(_status_kb(pid, "Pss", "smaps_rollup") for pid in pids)
            self.peak_kb = max(self.peak_kb, total)


def _measure(path: str, workers: int) -> None:
    """In a fresh process: validate `path` (in one pass, or split over `workers` processes) and print
    the wall time, the outcome and the peak memory. VmHWM is read rather than getrusage's maxrss,
    which on Linux carries over the parent's peak across fork and exec."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from files.validation import Limits, LocalFile, validate, validate_parallel

    sampler = _TreeSampler()
    sampler.start()
    started = time.perf_counter()
    if workers == 1:
        with open(path, "rb") as stream:
            report = validate(stream, Limits())
    else:
        # spawned, not forked: the checksum thread runs while the pool starts its workers
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as executor:
            source = LocalFile(path, os.path.getsize(path))
            report = validate_parallel(source, Limits(), parts=workers, run=executor.map)
    wall = time.perf_counter() - started
    sampler.stopped.set()
    sampler.join()
    assert report.summary is not None
    peak_kb = max(_status_kb("self", "VmHWM"), sampler.peak_kb)
    print(json.dumps({"wall_s": wall, "valid": report.valid, "variants": report.summary.variants, "peak_kb": peak_kb}))


def _in_fresh_process(path: Path, workers: int) -> tuple[dict[str, Any], float]:
    """The measurement's answer and the peak RSS (MB) of the process with its workers."""
    answer = subprocess.run(
        [sys.executable, "-m", "bench.vcf_validation", "--measure", str(path), str(workers)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
    )
    measured = json.loads(answer.stdout)
    return measured, measured["peak_kb"] / 1024


def _cyvcf2_seconds(path: Path) -> float:
    from cyvcf2 import VCF

    started = time.perf_counter()
    reader = VCF(str(path), threads=None)
    for variant in reader:
        variant.gt_types  # noqa: B018 - decoding every sample's genotype is what is measured
    reader.close()
    return time.perf_counter() - started


def _inflate_rates(path: Path, blocks_read: int = 2000) -> tuple[float, float]:
    """MB/s of ISA-L and of zlib inflating the same first blocks of the file."""
    from isal import isal_zlib

    from files.validation.bgzf import blocks

    with path.open("rb") as stream:
        bodies = []
        for number, item in enumerate(blocks(stream)):
            if number == blocks_read:
                break
            bodies.append((item.offset, item.size))
        stream.seek(0)
        raw = stream.read(bodies[-1][0] + bodies[-1][1])
    payloads = [raw[offset + 18 : offset + size - 8] for offset, size in bodies]
    rates = []
    for inflate in (isal_zlib.decompress, zlib.decompress):
        started = time.perf_counter()
        produced = sum(len(inflate(payload, wbits=-15)) for payload in payloads)
        rates.append(produced / (time.perf_counter() - started) / 1e6)
    return rates[0], rates[1]


def main() -> None:
    """Generate (or reuse) the file, measure the validator single-pass and split, and cyvcf2."""
    from bench.support import emit

    path, uncompressed_mb = cached_file()
    single, single_rss = _in_fresh_process(path, 1)
    cyvcf2_s = _cyvcf2_seconds(path)
    isal_rate, zlib_rate = _inflate_rates(path)
    mb_per_s = uncompressed_mb / single["wall_s"]
    emit(
        {
            "name": "vcf_validation_single_pass",
            "samples": SAMPLES,
            "variants": single["variants"],
            "uncompressed_mb": round(uncompressed_mb, 1),
            "compressed_mb": round(path.stat().st_size / 1e6, 1),
            "valid": single["valid"],
            "wall_s": round(single["wall_s"], 2),
            "mb_per_s": round(mb_per_s, 1),
            "cyvcf2_mb_per_s": round(uncompressed_mb / cyvcf2_s, 1),
            "ratio_to_cyvcf2": round(cyvcf2_s / single["wall_s"], 2),
            "peak_rss_mb": round(single_rss, 1),
            "rss_floor_mb": RSS_FLOOR_MB,
            "inflate_isal_mb_per_s": round(isal_rate, 1),
            "inflate_zlib_mb_per_s": round(zlib_rate, 1),
            "max_gb_in_15_min": round(mb_per_s * LAMBDA_SECONDS / 1000, 1),
        }
    )
    workers = max(2, os.cpu_count() or 2)
    split, split_rss = _in_fresh_process(path, workers)
    emit(
        {
            "name": "vcf_validation_parallel",
            "workers": workers,
            "valid": split["valid"],
            "wall_s": round(split["wall_s"], 2),
            "mb_per_s": round(uncompressed_mb / split["wall_s"], 1),
            "peak_rss_mb": round(split_rss, 1),
        }
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        _measure(sys.argv[2], int(sys.argv[3]))
    else:
        main()

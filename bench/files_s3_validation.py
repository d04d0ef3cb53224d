"""Validation as the files domain runs it: the VCF benchmark's generated file (bench.vcf_validation, 1,000
samples, 500 MB of text) stored in S3 (moto on loopback) and validated through ranged GETs
(`files.logic.validation.run_validation`), in one pass and split into ranges on threads.

Printed, one JSON line each: `wall_s`, `mb_per_s` (uncompressed MB a second), `peak_rss_mb` of the
process that validates (a fresh one, which imports the domain's code and boto3) with
`rss_before_validation_mb`, what that process held before it began, and
`max_gb_in_15_min`, the largest file (uncompressed) one validation reads within Lambda's 15 minutes at
that speed. moto serves from this machine's memory and the machine's other work shows in the figures;
S3 in the cloud serves a ranged GET at tens of MB/s of compressed data, far above what is inflated.
Run with `make bench` (or `python -m bench.files_s3_validation`).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.vcf_validation import LAMBDA_SECONDS, cached_file

BUCKET = "bench-files"
KEY = "users/bench/file/bench.vcf.gz"


def _measure(ranges: int) -> None:
    """In a fresh process: validate the stored object, print the figures as JSON."""
    from files.adapters.s3 import S3Object
    from files.logic.validation import run_validation
    from files.settings import FilesSettings
    from fip_core.aws import aws_client

    s3 = aws_client("s3")
    size = s3.head_object(Bucket=BUCKET, Key=KEY)["ContentLength"]
    settings = FilesSettings(store_bucket=BUCKET, min_samples=1, split_above_bytes=1, parallel_ranges=ranges)
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the code and clients, loaded
    started = time.perf_counter()
    report = run_validation(S3Object(s3, BUCKET, KEY, size), settings, None)
    wall = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall_s": wall, "valid": report.valid, "peak_rss_mb": peak_mb, "before_rss_mb": before_mb}))


def main() -> None:
    """Store the generated file in moto's S3, then validate it in a fresh process, whole and split."""
    from bench.support import emit, moto_environment
    from fip_core.aws import aws_client

    path, uncompressed_mb = cached_file()
    with tempfile.TemporaryDirectory() as state, moto_environment(Path(state)):
        s3 = aws_client("s3")
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        with path.open("rb") as stored:
            s3.upload_fileobj(stored, BUCKET, KEY)
        for ranges in (1, 4):
            answer = subprocess.run(
                [sys.executable, "-m", "bench.files_s3_validation", "--measure", str(ranges)],
                check=True,
                capture_output=True,
                text=True,
                env=dict(os.environ),
            )
            measured = json.loads(answer.stdout.strip().splitlines()[-1])
            mb_per_s = uncompressed_mb / measured["wall_s"]
            emit(
                {
                    "name": "files_vcf_validation_s3",
                    "ranges": ranges,
                    "threads": ranges if ranges > 1 else 0,
                    "uncompressed_mb": round(uncompressed_mb, 1),
                    "compressed_mb": round(path.stat().st_size / 1e6, 1),
                    "valid": measured["valid"],
                    "wall_s": round(measured["wall_s"], 2),
                    "mb_per_s": round(mb_per_s, 1),
                    "peak_rss_mb": round(measured["peak_rss_mb"], 1),
                    "rss_before_validation_mb": round(measured["before_rss_mb"], 1),
                    "max_gb_in_15_min": round(mb_per_s * LAMBDA_SECONDS / 1000, 1),
                }
            )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        _measure(int(sys.argv[2]))
    else:
        main()

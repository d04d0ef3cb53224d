"""Run every benchmark; each prints JSON lines with `name`, `wall_s`, its parameters and ratios.

Each runs in its own process, as a Lambda container would: no client, engine or cache made for one
leaks into the next.
"""

import subprocess
import sys

from local_platform.config import REPO_ROOT

BENCHMARKS = (
    "cold_start",
    "api_warm",
    "health_sweep",
    "authorizer",
    "vcf_validation",
    "files_s3_validation",
    "jobs_poll",
    "monitoring_ingest",
)


def main() -> None:
    """Run the benchmarks in turn; fail when one fails."""
    for name in BENCHMARKS:
        subprocess.run([sys.executable, "-m", f"bench.{name}"], check=True, cwd=REPO_ROOT)


if __name__ == "__main__":
    main()

"""Cold starts: what importing each function's handler module costs in a fresh process, against the
bare import of what every function uses (`import boto3, pydantic, aws_lambda_powertools`), and what
the first request costs after it.

Printed, one JSON line each:

- `cold_import` for every declared function of every domain and every function of the platform's own
  (the `$default` catch-all, the database provisioning step): `import_s` (median over the runs),
  `baseline_s` (the bare import, median over the runs made alongside), `ratio` (the median of each
  run's ratio to the baseline run next to it, with `ratio_spread`, the lowest and highest), `runs`.
  Floor: every function within 1.5x of the baseline. The import happens as Lambda's would: tracing
  not disabled, `LAMBDA_TASK_ROOT` set.
- `cold_request` for the API routes the warm benchmark measures: a fresh process imports the handler
  module and serves one request (SQLite, 100 services): `import_s`, `first_request_s`, `total_s`
  (medians).

The machine's other work shows in the figures: baseline and function runs alternate (which goes first
alternates too), so a busy moment touches both, and the ratios are per pair. `make bench` prints
figures; it asserts nothing. `--tree PATH` measures another checkout of the repository with the same
method (e.g. the code before a change).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.support import QUIET_ENVIRONMENT, emit
from local_platform.config import REPO_ROOT

BASELINE = "import boto3, pydantic, aws_lambda_powertools"
RUNS = 9
REQUEST_RUNS = 7
FLOOR_RATIO = 1.5
# what Lambda sets that decides how Powertools behaves (Tracer and Logger read LAMBDA_TASK_ROOT)
LAMBDA_ENVIRONMENT = {
    "LAMBDA_TASK_ROOT": "/var/task",
    "AWS_LAMBDA_FUNCTION_NAME": "fip-cold-start",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
    "AWS_REGION": "eu-west-1",
    "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
}
_TIMED = "import time\nstarted = time.perf_counter()\n{code}\nprint(time.perf_counter() - started)"
_FIRST_REQUEST = """import importlib, json, sys, time, types
event = json.loads(sys.stdin.read())
started = time.perf_counter()
module = importlib.import_module({module!r})
imported = time.perf_counter()
context = types.SimpleNamespace(function_name="fip-cold-start", memory_limit_in_mb=512, aws_request_id="cold",
    invoked_function_arn="arn:aws:lambda:eu-west-1:123456789012:function:fip-cold-start")
answer = module.handler(event, context)
served = time.perf_counter()
print(json.dumps({{"import_s": imported - started, "first_request_s": served - imported,
    "status": answer["statusCode"]}}))
"""


@dataclass(frozen=True)
class ColdFunction:
    """A deployed function and the code Lambda runs to load its handler."""

    name: str
    code: str


def declared_functions() -> list[ColdFunction]:
    """Every function the CDK app deploys with the platform's code: each domain's declared functions, the
    catch-all and the database provisioning step (whose handler module the layer holds)."""
    from infra.database import PROVISIONING_CODE, PROVISIONING_FUNCTION
    from infra.domains import DOMAINS
    from infra.stack import CATCH_ALL_FUNCTION, PLATFORM

    found = [
        ColdFunction(f"{domain.name}-{function.name}", f"import {function.handler.rpartition('.')[0]}")
        for domain in DOMAINS
        for function in domain.functions
    ]
    found.append(
        ColdFunction(f"{PLATFORM}-{CATCH_ALL_FUNCTION.name}", f"import {CATCH_ALL_FUNCTION.handler.rpartition('.')[0]}")
    )
    found.append(ColdFunction(f"{PLATFORM}-{PROVISIONING_FUNCTION.name}", PROVISIONING_CODE))
    return found


def _python(code: str, tree: Path, stdin: str | None = None, environment: dict[str, str] | None = None) -> str:
    # the tree's sources first on the path, as the layer and the code package are in Lambda
    paths = [str(tree / "functions"), str(tree / "layers" / "core" / "python"), str(tree)]
    prelude = f"import sys\nsys.path[:0] = {paths!r}\n"
    answer = subprocess.run(
        [sys.executable, "-c", prelude + code],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),
        env={**_clean_environment(), **LAMBDA_ENVIRONMENT, **(environment or {})},
    )
    return answer.stdout.strip().splitlines()[-1]


def _clean_environment() -> dict[str, str]:
    # nothing of this process's Powertools or database settings leaks into the measured ones
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("POWERTOOLS_", "REGISTRY_", "USERS_", "FIP_", "AWS_"))
    }


def _timed(code: str, tree: Path) -> float:
    return float(_python(_TIMED.format(code=code), tree))


def cold_imports(tree: Path, functions: list[ColdFunction]) -> list[dict[str, Any]]:
    """Each function's import against the baseline, in alternating pairs."""
    pairs: dict[str, list[tuple[float, float]]] = {function.name: [] for function in functions}
    for run in range(RUNS):
        for function in functions:
            if run % 2:
                measured = _timed(function.code, tree)
                baseline = _timed(BASELINE, tree)
            else:
                baseline = _timed(BASELINE, tree)
                measured = _timed(function.code, tree)
            pairs[function.name].append((measured, baseline))
    records = []
    for function in functions:
        runs = pairs[function.name]
        ratios = sorted(measured / baseline for measured, baseline in runs)
        ratio = statistics.median(ratios)
        records.append(
            {
                "name": "cold_import",
                "function": function.name,
                "import_s": round(statistics.median(measured for measured, _ in runs), 3),
                "baseline_s": round(statistics.median(baseline for _, baseline in runs), 3),
                "ratio": round(ratio, 2),
                "ratio_spread": [round(ratios[0], 2), round(ratios[-1], 2)],
                "runs": len(runs),
                "floor_ratio": FLOOR_RATIO,
                "within_floor": ratio <= FLOOR_RATIO,
            }
        )
    return records


def cold_requests(tree: Path) -> list[dict[str, Any]]:
    """A fresh process imports the API handler and serves one request, for each warm benchmark route."""
    from bench.api_warm import ROUTES, request_event, seeded_databases

    records = []
    with seeded_databases() as environment:
        for route in ROUTES:
            module, event = request_event(route)
            runs = []
            for _ in range(REQUEST_RUNS):
                answer = json.loads(_python(_FIRST_REQUEST.format(module=module), tree, json.dumps(event), environment))
                assert answer["status"] == 200, answer
                runs.append(answer)
            imports = [run["import_s"] for run in runs]
            firsts = [run["first_request_s"] for run in runs]
            totals = sorted(run["import_s"] + run["first_request_s"] for run in runs)
            records.append(
                {
                    "name": "cold_request",
                    "route": route.label,
                    "database": "sqlite",
                    "import_s": round(statistics.median(imports), 3),
                    "first_request_s": round(statistics.median(firsts), 3),
                    "total_s": round(statistics.median(totals), 3),
                    "total_spread": [round(totals[0], 3), round(totals[-1], 3)],
                    "runs": len(runs),
                }
            )
    return records


def main() -> None:
    """Measure and print every line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tree", type=Path, default=REPO_ROOT, help="the checkout to measure (default: this one)")
    parser.add_argument("--only", choices=("imports", "requests"), help="one half only")
    arguments = parser.parse_args()
    tree = arguments.tree.resolve()
    label = {} if tree == REPO_ROOT.resolve() else {"tree": str(tree)}
    os.environ.update(QUIET_ENVIRONMENT)
    if arguments.only != "requests":
        for record in cold_imports(tree, declared_functions()):
            emit({**record, **label})
    if arguments.only != "imports":
        for record in cold_requests(tree):
            emit({**record, **label})


if __name__ == "__main__":
    main()

"""The web console's API client is typed from the platform's own OpenAPI document (`make web`): the
console type-checks against the document the handlers make today, and a renamed route or a changed
answer fails `tsc` before any person could meet it. Needs `web/node_modules` (`make web`)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from infra.domains import DOMAINS
from local_platform.openapi import platform_openapi
from tests.conftest import REPO, skip_or_fail

WEB = REPO / "web"
TIMEOUT_SECONDS = 300  # openapi-typescript and tsc on a busy 2-core machine


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    if not (WEB / "node_modules" / ".bin" / "tsc").exists():
        skip_or_fail("the web console's packages are not installed: run `make web`")
    return platform_openapi(DOMAINS)


def type_check(tmp_path: Path, document: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    """Generate the client's types from `document` into a copy of the console, then run `tsc` on it."""
    copy = tmp_path / "web"
    shutil.copytree(WEB / "src", copy / "src", ignore=shutil.ignore_patterns("openapi.json", "schema.d.ts"))
    for name in ("tsconfig.json", "vite.config.ts", "package.json"):
        shutil.copy(WEB / name, copy / name)
    (copy / "node_modules").symlink_to(WEB / "node_modules")
    (copy / "src" / "api" / "openapi.json").write_text(json.dumps(document))
    bin_dir = WEB / "node_modules" / ".bin"
    generate = [str(bin_dir / "openapi-typescript"), "src/api/openapi.json", "--output", "src/api/schema.d.ts"]
    subprocess.run(generate, cwd=copy, check=True, capture_output=True, timeout=TIMEOUT_SECONDS)
    return subprocess.run(
        [str(bin_dir / "tsc"), "--noEmit"],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )


def test_the_console_type_checks_against_todays_document(tmp_path: Path, document: dict[str, Any]) -> None:
    checked = type_check(tmp_path, document)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_renamed_route_or_a_changed_answer_fails_the_build(tmp_path: Path, document: dict[str, Any]) -> None:
    changed = json.loads(json.dumps(document))
    changed["paths"]["/genotype-files/{file_id}/upload"] = changed["paths"].pop("/files/{file_id}/upload")
    findings = changed["components"]["schemas"]["FindingView"]["properties"]
    findings["remedy"] = findings.pop("fix")  # the field the findings table shows as "How to fix it"
    checked = type_check(tmp_path, changed)
    assert checked.returncode != 0
    assert "src/pages/files.tsx" in checked.stdout
    assert '"/files/{file_id}/upload"' in checked.stdout  # the route the resume asks
    assert "Property 'fix' does not exist" in checked.stdout

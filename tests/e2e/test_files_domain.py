"""The files domain on the local platform over HTTP, on moto and then on LocalStack: a researcher uploads
the sample VCFs through the presigned part URLs and sees each become `valid` (the seven-sample one
`invalid`, under the default minimum of 20), S3's `Object Created` reaching the validator through the
rule on the default bus; and a held-out set of broken files, generated here one per rule and per way a
stream breaks, uploaded as a user would, each comes back `invalid` with a finding naming its rule."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from infra.domains import DOMAINS
from local_platform.platform import LocalPlatform
from tests.support.accounts import Account, sign_up
from tests.support.platform_process import LOCAL_AWS_KINDS, eventually, platform_in_process
from tests.unit.files.cases import BROKEN, DATA, SAMPLES

pytestmark = pytest.mark.e2e

DEADLINE_SECONDS = 120  # every file of a batch validated; a shared machine is slow
# the broken files a user can make break under the default limits (the others need limits of their own);
# unphased genotypes are a warning, so that file is `valid` with its finding
HELD_OUT = [case for case in BROKEN.values() if case.limits == type(case.limits)()]
WARNINGS = {"genotype.unphased"}


@pytest.fixture(scope="module", params=LOCAL_AWS_KINDS)
def platform(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPlatform]:
    """The shipped domains on the local platform; events are relayed as their change commits."""
    state = tmp_path_factory.mktemp("state")
    with platform_in_process(DOMAINS, request.param, state, schedules_enabled=False, event_retry_seconds=0) as running:
        yield running


@pytest.fixture(scope="module")
def researcher(platform: LocalPlatform) -> Account:
    return sign_up()


def _call(platform: LocalPlatform, account: Account, method: str, path: str, body: Any = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {account.access_token}"}
    return httpx.request(method, f"{platform.url}{path}", json=body, headers=headers, timeout=60)


def _upload(platform: LocalPlatform, account: Account, data: bytes, **declared: Any) -> str:
    """Upload as a browser would: ask for the part URLs, PUT each part, complete with the ETags."""
    created = _call(platform, account, "POST", "/files", {"filename": "in.vcf.gz", "size_bytes": len(data), **declared})
    assert created.status_code == 201, created.text
    plan = created.json()["upload"]
    parts = []
    for part in plan["parts"]:
        start = (part["part_number"] - 1) * plan["part_size"]
        answer = httpx.put(part["url"], content=data[start : start + plan["part_size"]], timeout=60)
        assert answer.status_code == 200, answer.text
        parts.append({"part_number": part["part_number"], "etag": answer.headers["etag"]})
    completed = _call(platform, account, "POST", f"/files/{created.json()['id']}/complete", {"parts": parts})
    assert completed.status_code == 200, completed.text
    return str(created.json()["id"])


def _outcomes(platform: LocalPlatform, account: Account, ids: list[str]) -> dict[str, dict[str, Any]]:
    def done() -> dict[str, dict[str, Any]] | None:
        shown = {file_id: _call(platform, account, "GET", f"/files/{file_id}").json() for file_id in ids}
        return shown if all(file["status"] in ("valid", "invalid") for file in shown.values()) else None

    return eventually(done, DEADLINE_SECONDS, f"{len(ids)} files validated", interval=1.0)


def test_the_sample_files_become_valid(platform, researcher):
    ids = {name: _upload(platform, researcher, (DATA / name).read_bytes()) for name in SAMPLES}
    shown = _outcomes(platform, researcher, list(ids.values()))
    for name, file_id in ids.items():
        if name.startswith("testdata_chr22"):  # 7 samples
            assert [f["rule"] for f in shown[file_id]["findings"]] == ["samples.too_few"]
        else:
            assert shown[file_id]["status"] == "valid", (name, shown[file_id]["findings"])
            assert shown[file_id]["summary"]["samples"] == 51
    listed = _call(platform, researcher, "GET", "/files?status=valid").json()
    assert listed["total"] == len(SAMPLES) - 1
    link = _call(platform, researcher, "GET", f"/files/{ids[SAMPLES[0]]}/download").json()["url"]
    assert httpx.get(link, timeout=60).content == (DATA / SAMPLES[0]).read_bytes()


def test_each_held_out_broken_file_comes_back_invalid_naming_its_rule(platform, researcher):
    ids = {
        case.rule: _upload(platform, researcher, case.make(), **({"build": case.build} if case.build else {}))
        for case in HELD_OUT
    }
    shown = _outcomes(platform, researcher, list(ids.values()))
    wrong = []
    for rule, file_id in ids.items():
        rules = {finding["rule"] for finding in shown[file_id]["findings"]}
        status = "valid" if rule in WARNINGS else "invalid"
        if rule not in rules or shown[file_id]["status"] != status:
            wrong.append((rule, shown[file_id]["status"], rules))
    assert wrong == []


def test_another_user_sees_none_of_it(platform, researcher):
    file_id = _upload(platform, researcher, (DATA / SAMPLES[0]).read_bytes())
    other = sign_up()
    assert _call(platform, other, "GET", f"/files/{file_id}").status_code == 404
    assert _call(platform, other, "GET", f"/files/{file_id}/download").status_code == 404
    assert _call(platform, other, "DELETE", f"/files/{file_id}").status_code == 404
    assert _call(platform, other, "GET", "/files").json()["total"] == 0

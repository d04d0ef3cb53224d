"""`fip` end to end against the local platform, run as the console script `make` installs: signing
in keeps the session in a file only its owner may read; a personal API token made with it serves a
pipeline through `FIP_TOKEN`; the repository's sample VCF is uploaded (in parts), validated and
listed; services and panels are listed; the API's problems are shown as their `detail` with a
non-zero exit status, `--json` prints the API's answers for scripts."""

from __future__ import annotations

import json
import stat
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from local_platform.platform import LocalPlatform
from tests.cli.conftest import Fip
from tests.support.accounts import Account, enrol_totp, sign_in
from tests.support.api import invoke_api
from tests.support.cognito import totp

pytestmark = pytest.mark.e2e

SAMPLE = Path(__file__).parents[1] / "data" / "vcf" / "chr20.tiny.100snps.vcf.gz"


@pytest.fixture(scope="module")
def service(platform: LocalPlatform) -> dict[str, str]:
    """A service an admin registered, with a panel (no connection is made to it: schedules are off)."""
    body = {
        "name": "Michigan Imputation Server",
        "slug": "michigan",
        "api_type": "michigan",
        "base_url": "https://imputationserver.example.org",
        "supported_builds": ["hg19", "hg38"],
    }
    created = invoke_api("POST", "/services", body=body)
    assert created.status == 201, created.body
    panel = {
        "slug": "apps@1000g-phase-3-v5",
        "display_name": "1000 Genomes phase 3",
        "build": "hg19",
        "populations": ["AFR"],
    }
    added = invoke_api("POST", f"/services/{created.body['id']}/panels", body=panel)
    assert added.status == 201, added.body
    return {"id": created.body["id"], "panel": added.body["id"]}


def _json(answer: subprocess.CompletedProcess[str]) -> Any:
    assert answer.returncode == 0, answer.stderr
    return json.loads(answer.stdout)


def test_login_keeps_the_session_in_a_file_only_its_owner_may_read(fip: Fip, signed_in: Account, config: Path):
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert stat.S_IMODE(config.parent.stat().st_mode) == 0o700
    kept = json.loads(config.read_text())
    assert kept["email"] == signed_in.email
    assert kept["token"]
    assert kept["refresh_token"]
    assert _json(fip("files", "--json"))["total"] == 0  # the session serves the next command


def test_a_config_file_others_may_read_is_refused(fip: Fip, signed_in: Account, config: Path):
    config.chmod(0o644)
    refused = fip("files")
    assert refused.returncode == 1
    assert f"chmod 600 {config}" in refused.stderr
    assert fip("files", token=signed_in.access_token).returncode == 0  # a token from the environment is not in doubt


def test_a_personal_token_made_in_a_session_serves_a_pipeline(fip: Fip, signed_in: Account, config: Path, service):
    created = _json(fip("token", "create", "--name", "pipeline", "--json"))
    assert created["name"] == "pipeline"
    config.unlink()  # a pipeline has nothing but the environment
    listed = _json(fip("services", "--json", token=created["token"]))
    assert [s["id"] for s in listed["items"]] == [service["id"]]
    table = fip("services", token=created["token"])
    assert table.returncode == 0
    assert "michigan" in table.stdout
    assert "Michigan Imputation Server" in table.stdout
    panels = _json(fip("panels", "--build", "hg19", "--json", token=created["token"]))
    assert [p["slug"] for p in panels["items"]] == ["apps@1000g-phase-3-v5"]
    of_service = _json(fip("panels", "--service", service["id"], "--build", "hg38", "--json", token=created["token"]))
    assert of_service["items"] == []
    # a personal token cannot make another one: the API's detail says why
    refused = fip("token", "create", "--name", "again", token=created["token"])
    assert refused.returncode == 1
    assert "Error:" in refused.stderr
    assert "session" in refused.stderr.lower()


def test_the_sample_vcf_is_uploaded_validated_and_listed(fip: Fip, signed_in: Account):
    [uploaded] = _json(fip("upload", str(SAMPLE), "--build", "hg19", "--wait", "--json"))
    assert (uploaded["filename"], uploaded["status"]) == (SAMPLE.name, "valid")
    assert uploaded["summary"]["samples"] == 51
    listed = _json(fip("files", "--json"))
    assert [f["id"] for f in listed["items"]] == [uploaded["id"]]
    table = fip("files", "--status", "valid")
    assert table.returncode == 0
    assert SAMPLE.name in table.stdout
    assert uploaded["id"] in table.stdout


def test_problems_are_shown_as_their_detail_with_a_non_zero_exit(fip: Fip, signed_in: Account, service):
    [valid] = _json(fip("upload", str(SAMPLE), "--wait", "--json"))
    automatic = fip("submit", "--panel", "apps@1000g-phase-3-v5", "--build", "hg19", valid["id"])
    assert automatic.returncode == 1
    # `auto` (the default) finds the only service not yet checked by the registry: nothing can take the job
    assert "no service can take this job now" in automatic.stderr
    assert "not checked yet" in automatic.stderr
    unknown = fip(
        "submit", "--panel", "apps@1000g-phase-3-v5", "--build", "hg19", "--service", str(uuid.uuid4()), valid["id"]
    )
    assert unknown.returncode == 1
    assert "Error:" in unknown.stderr
    assert "Traceback" not in unknown.stderr + automatic.stderr
    wrong_build = fip(
        "submit", "--panel", "apps@1000g-phase-3-v5", "--build", "hg38", "--service", service["id"], valid["id"]
    )
    assert wrong_build.returncode == 1
    assert "Error:" in wrong_build.stderr
    assert _json(fip("jobs", "--json"))["items"] == []
    missing = fip("wait", str(uuid.uuid4()), "--json")
    assert missing.returncode == 1
    assert "Error:" in missing.stderr
    assert missing.stdout == ""


def test_without_a_platform_or_a_token_fip_says_what_to_set(fip: Fip):
    no_url = fip("services", api_url="")
    assert (no_url.returncode, "FIP_API_URL" in no_url.stderr) == (1, True)
    no_token = fip("services")
    assert (no_token.returncode, "fip login" in no_token.stderr) == (1, True)
    refused = fip("services", token="not-a-token")
    assert refused.returncode == 1
    assert "Error:" in refused.stderr


def test_login_answers_the_second_factor_of_an_account_that_has_one(fip: Fip, platform: LocalPlatform, config: Path):
    email, password = platform.config.admin_email, platform.config.admin_password  # the first admin
    secret = enrol_totp(sign_in(email, password))

    signed_in = fip("login", "--email", email, "--code", totp(secret, time.time()), FIP_PASSWORD=password)
    assert signed_in.returncode == 0, signed_in.stderr
    assert _json(fip("services", "--json"))["total"] >= 0
    wrong = fip("login", "--email", email, FIP_PASSWORD="Not-the-password-1")
    assert wrong.returncode == 1
    assert wrong.stderr.startswith("Error:")

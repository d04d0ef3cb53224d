"""The test domain `intake` (tests/support/intake_domain.py) on the local platform beside the real
users and registry domains, on moto and then on LocalStack: a signed-in researcher uploads through
presigned URLs (one PUT, and a multipart upload), and S3's `Object Created` event for each object
reaches the domain's subscriber once, which reads the object and mails a receipt through the
domain's SES sender; a browser on the platform's origin may upload, one elsewhere may not (both
emulators apply the bucket's CORS rule); a registry health change reaches its other subscriber,
read with the registry's model; its API asks the users domain for a stored token through Lambda's
Invoke API, which answers no other function."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from local_platform.aws import aws_client
from local_platform.platform import LocalPlatform
from tests.support.accounts import Account, sign_up
from tests.support.api import invoke_api
from tests.support.intake_domain import PLATFORM, RECEIPTS_TO, RECORDER
from tests.support.platform_process import LOCAL_AWS_KINDS, REPO, eventually, platform_in_process, queue_is_empty
from tests.support.simulated_services import SimulatedServices

pytestmark = pytest.mark.e2e

DEADLINE_SECONDS = 30
PART_BYTES = 5 * 1024 * 1024  # S3's smallest part but the last


@pytest.fixture(scope="module", params=LOCAL_AWS_KINDS)
def intake(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPlatform]:
    """The platform serving the users, registry and intake domains, on moto and then on LocalStack;
    events are relayed as their change commits, so no schedule runs."""
    state = tmp_path_factory.mktemp("state")
    settings = {"schedules_enabled": False, "event_retry_seconds": 0}
    with platform_in_process(PLATFORM, request.param, state, **settings) as platform:
        yield platform


@pytest.fixture(scope="module")
def researcher(intake: LocalPlatform) -> Account:
    """A researcher who signed up and in (any code confirms on moto's Cognito)."""
    return sign_up()


@pytest.fixture(autouse=True)
def fresh_recorder() -> None:
    RECORDER.reset()


def _post(platform: LocalPlatform, path: str, body: dict[str, Any], account: Account) -> httpx.Response:
    return httpx.post(
        f"{platform.url}{path}", json=body, headers={"Authorization": f"Bearer {account.access_token}"}, timeout=30
    )


def _received(count: int) -> list[dict[str, Any]]:
    def arrived() -> list[dict[str, Any]] | None:
        with RECORDER.lock:
            return list(RECORDER.uploads) if len(RECORDER.uploads) >= count else None

    return eventually(arrived, DEADLINE_SECONDS, f"{count} Object Created events at the subscriber")


def test_presigned_uploads_reach_the_object_created_subscriber_once_each(intake, researcher):
    single = _post(intake, "/intake/objects", {"name": "single.vcf.gz"}, researcher)
    assert single.status_code == 200, single.text
    assert single.json()["key"] == f"{researcher.user_id}/single.vcf.gz"
    assert httpx.put(single.json()["url"], content=b"one request").status_code == 200

    upload = _post(intake, "/intake/uploads", {"name": "multi.vcf.gz", "parts": 2}, researcher).json()
    contents = [b"a" * PART_BYTES, b"the last part"]
    parts = []
    for number, (url, content) in enumerate(zip(upload["urls"], contents, strict=True), start=1):
        answer = httpx.put(url, content=content, timeout=60)
        assert answer.status_code == 200, answer.text
        parts.append({"part_number": number, "etag": answer.headers["etag"]})
    completed = _post(
        intake,
        "/intake/uploads/complete",
        {"key": upload["key"], "upload_id": upload["upload_id"], "parts": parts},
        researcher,
    )
    assert completed.json() == {"completed": True}

    received = _received(2)
    eventually(lambda: queue_is_empty(intake, "on-upload") or None, DEADLINE_SECONDS, "the on-upload queue emptied")
    with RECORDER.lock:
        received = list(RECORDER.uploads)
    by_key = {entry["event"]["detail"]["object"]["key"]: entry for entry in received}
    assert sorted(by_key) == sorted([single.json()["key"], upload["key"]]), "one event per object"
    assert len({entry["event"]["id"] for entry in received}) == 2, "each event has its own id"
    for entry in received:
        assert (entry["event"]["source"], entry["event"]["detail-type"]) == ("aws.s3", "Object Created")
    assert by_key[single.json()["key"]]["content"] == b"one request"
    assert by_key[upload["key"]]["content"] == b"".join(contents)
    assert by_key[upload["key"]]["event"]["detail"]["object"]["size"] == len(b"".join(contents))
    assert all(entry["mail_id"] for entry in received), "a receipt went out for each"


def test_the_receipts_went_out_from_the_platforms_sender(intake, researcher):
    single = _post(intake, "/intake/objects", {"name": "receipt.txt"}, researcher).json()
    httpx.put(single["url"], content=b"x").raise_for_status()
    (entry,) = _received(1)
    ses = aws_client("ses", intake.aws_endpoint)
    assert intake.config.mail_from in ses.list_identities()["Identities"]
    assert ses.get_send_quota()["SentLast24Hours"] >= 1
    if intake.config.local_aws == "localstack":
        kept = httpx.get(f"{intake.aws_endpoint}/_aws/ses", params={"id": entry["mail_id"]}).json()["messages"]
        assert [(m["Source"], m["Destination"]["ToAddresses"]) for m in kept] == [
            (intake.config.mail_from, [RECEIPTS_TO])
        ]


def test_nobody_completes_anothers_upload(intake, researcher):
    other = sign_up()
    upload = _post(intake, "/intake/uploads", {"name": "theirs.vcf.gz"}, other).json()
    refused = _post(
        intake,
        "/intake/uploads/complete",
        {"key": upload["key"], "upload_id": upload["upload_id"], "parts": []},
        researcher,
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"


def test_a_browser_may_upload_from_the_platforms_origin(intake, researcher):
    url = _post(intake, "/intake/objects", {"name": "browser.txt"}, researcher).json()["url"]

    def preflight(origin: str) -> httpx.Response:
        headers = {
            "Origin": origin,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "content-type",
        }
        return httpx.options(url, headers=headers)

    allowed = preflight(intake.url)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == intake.url
    assert "PUT" in allowed.headers["access-control-allow-methods"]
    assert "ETag" in allowed.headers["access-control-expose-headers"]  # the browser completes with each part's ETag
    assert preflight("https://elsewhere.example.org").status_code == 403  # as S3


def test_a_registry_health_change_reaches_the_subscriber_read_with_its_model(intake, simulated: SimulatedServices):
    created = invoke_api(
        "POST",
        "/services",
        body={
            "name": "Intake's server",
            "slug": "intake-server",
            "api_type": "michigan",
            "base_url": simulated.url("cloudgene", "intake"),
        },
    )
    assert created.status == 201, created.body
    service_id = created.body["id"]
    assert invoke_api("POST", f"/services/{service_id}/health-check").status == 200

    def changed() -> tuple[Any, Any] | None:
        with RECORDER.lock:
            return next(((m, e) for m, e in RECORDER.health if e.service_id == service_id), None)

    metadata, event = eventually(changed, DEADLINE_SECONDS, "ServiceHealthChanged at the intake subscriber")
    assert (metadata.name, metadata.version, metadata.domain) == ("ServiceHealthChanged", 1, "registry")
    assert (event.previous_status, event.status, event.slug) == ("unknown", "healthy", "intake-server")


def test_the_declared_call_asks_the_users_domain_for_a_stored_token(intake, researcher):
    service, other = str(uuid.uuid4()), str(uuid.uuid4())
    stored = invoke_api(
        "PUT", f"/me/credentials/{service}", body={"token": "a-michigan-token"}, token=researcher.access_token
    )
    assert stored.status in (200, 201), stored.body
    found = _post(intake, "/intake/credentials", {"service_id": service}, researcher)
    assert found.status_code == 200, found.text
    assert found.json() == {"found": True, "token_sha256": hashlib.sha256(b"a-michigan-token").hexdigest()}
    missing = _post(intake, "/intake/credentials", {"service_id": other}, researcher)
    assert missing.json() == {"found": False, "token_sha256": None}


def test_the_local_invoke_api_refuses_what_no_call_declares(intake):
    lambda_ = aws_client("lambda", intake.aws.endpoint("lambda"))
    assert os.environ["INTAKE_USERS_CREDENTIALS_FUNCTION_NAME"] == "users-credentials"
    with pytest.raises(ClientError) as refused:
        lambda_.invoke(FunctionName="users-bootstrap-admin", Payload=json.dumps({}).encode())
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    with pytest.raises(lambda_.exceptions.ResourceNotFoundException):
        lambda_.invoke(FunctionName="jobs-poll", Payload=b"{}")


def test_the_platform_describes_the_resources_rules_and_the_invoke_endpoint(intake):
    described = intake.describe()
    assert "resource    intake/inbox: bucket fip-intake-inbox" in described
    assert "variable    INTAKE_INBOX_BUCKET=fip-intake-inbox" in described
    assert 'intake-on-upload-subscription on default: {"source": ["aws.s3"]' in described
    assert "intake-on-health-subscription on fip-events" in described
    assert "(Invoke, for the declared calls: users-credentials)" in described


def test_the_local_platform_provisions_every_kind_without_loading_the_cdk(tmp_path):
    # in a process of its own: this one has loaded the CDK for other tests
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "import local_platform.__main__\n"
        "from local_platform.config import PlatformConfig\n"
        "from local_platform.platform import LocalPlatform\n"
        "from tests.support.intake_domain import PLATFORM\n"
        "config = PlatformConfig(port=0, state_dir=Path(sys.argv[1]), schedules_enabled=False)\n"
        "platform = LocalPlatform(config, PLATFORM, access_log=False)\n"
        "platform.start()\n"
        "made = sorted(platform.resources.environment)\n"
        "platform.stop()\n"
        "cdk = sorted(m for m in sys.modules if m.split('.')[0] in {'aws_cdk', 'constructs', 'jsii', 'cdk_nag'})\n"
        "print(json.dumps({'made': made, 'cdk': cdk}))\n"
    )
    environment = {key: value for key, value in os.environ.items() if key != "AWS_ENDPOINT_URL"}
    answer = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert answer.returncode == 0, answer.stderr
    printed = json.loads(answer.stdout.strip().splitlines()[-1])
    assert {"USERS_USER_POOL_ID", "USERS_CREDENTIALS_KEY_ID", "INTAKE_INBOX_BUCKET", "INTAKE_MAIL_SENDER"} <= set(
        printed["made"]
    )
    assert printed["cdk"] == []

"""Starting the platform again on the same state folder finds the resources the last run made, on moto
(whose state file keeps them, with the bucket's objects) and on LocalStack (which keeps nothing: they
are made again, under the same names, and the credentials key with the same key); the bucket's
events still reach their subscriber."""

from __future__ import annotations

import pytest

from local_platform.aws import aws_client
from tests.support.intake_domain import PLATFORM, RECORDER
from tests.support.platform_process import LOCAL_AWS_KINDS, eventually, platform_in_process

pytestmark = pytest.mark.e2e
DEADLINE_SECONDS = 30


@pytest.mark.parametrize("local_aws", LOCAL_AWS_KINDS)
def test_a_restart_finds_or_makes_again_every_resource(local_aws, tmp_path):
    settings = {"schedules_enabled": False}
    with platform_in_process(PLATFORM, local_aws, tmp_path, **settings) as first:
        made = dict(first.resources.environment)
        bucket = made["INTAKE_INBOX_BUCKET"]
        aws_client("s3", first.aws_endpoint).put_object(Bucket=bucket, Key="kept", Body=b"still here")
        kms = aws_client("kms", first.aws_endpoint)
        context = {"purpose": "external-service-token", "user_id": "u", "service_id": "s"}
        sealed = kms.encrypt(KeyId=made["USERS_CREDENTIALS_KEY_ID"], Plaintext=b"token", EncryptionContext=context)
    with platform_in_process(PLATFORM, local_aws, tmp_path, **settings) as second:
        again = dict(second.resources.environment)
        assert again | {"USERS_JWKS_URL": made["USERS_JWKS_URL"]} == made  # moto's port may differ
        s3 = aws_client("s3", second.aws_endpoint)
        RECORDER.reset()
        s3.put_object(Bucket=bucket, Key="after", Body=b"new")

        def delivered() -> list[str] | None:
            with RECORDER.lock:
                return [entry["event"]["detail"]["object"]["key"] for entry in RECORDER.uploads] or None

        assert eventually(delivered, DEADLINE_SECONDS, "the Object Created event after the restart") == ["after"]
        kms = aws_client("kms", second.aws_endpoint)
        opened = kms.decrypt(CiphertextBlob=sealed["CiphertextBlob"], EncryptionContext=context)
        assert opened["Plaintext"] == b"token"
        kept = sorted(item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []))
        assert kept == (["after", "kept"] if local_aws == "moto" else ["after"])  # LocalStack keeps nothing

"""moto's state saved to a file and loaded into a fresh set of backends, as a restart of the local
platform does: every resource kind the platform uses now or will (Cognito, KMS, SQS, EventBridge,
S3, Secrets Manager, SES) comes back working, secrets included."""

from __future__ import annotations

import json
import pickle
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from moto.core.base_backend import BackendDict

from local_platform.aws import MotoEndpoint, aws_client, ensure_event_bus, queue_arn
from local_platform.moto_state import MotoState, MotoStateError

PASSWORD = "Kept-password-1"
CONTEXT = {"purpose": "test"}


@pytest.fixture
def fresh_backends(tmp_path: Path) -> Iterator[None]:
    """Empty backends for the test, and the process's own moto state back afterwards (moto's
    backends are global to a process)."""
    outer = MotoState(tmp_path / "outer.pickle")
    outer.save()
    BackendDict.reset()
    yield
    BackendDict.reset()
    outer.restore()


def restart(state_file: Path, running: MotoEndpoint) -> MotoEndpoint:
    """Stop moto, forget everything it held, and start it again on the state file."""
    running.stop()
    BackendDict.reset()
    again = MotoEndpoint(state_file=state_file)
    again.start()
    return again


def test_every_kind_of_resource_outlives_a_restart(fresh_backends: None, tmp_path: Path) -> None:
    state_file = tmp_path / "moto-state.pickle"
    moto = MotoEndpoint(state_file=state_file)
    moto.start()
    assert moto.restored is False
    cognito, kms = aws_client("cognito-idp", moto.endpoint), aws_client("kms", moto.endpoint)
    pool = cognito.create_user_pool(PoolName="kept")["UserPool"]["Id"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool, ClientName="kept", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    cognito.create_group(UserPoolId=pool, GroupName="viewer")
    cognito.sign_up(ClientId=client, Username="ada@example.org", Password=PASSWORD)
    cognito.admin_confirm_sign_up(UserPoolId=pool, Username="ada@example.org")
    cognito.admin_add_user_to_group(UserPoolId=pool, Username="ada@example.org", GroupName="viewer")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    ciphertext = kms.encrypt(KeyId=key, Plaintext=b"token", EncryptionContext=CONTEXT)["CiphertextBlob"]
    signing_key = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="RSA_2048")["KeyMetadata"]["KeyId"]
    signature = kms.sign(KeyId=signing_key, Message=b"m", SigningAlgorithm="RSASSA_PSS_SHA_256")["Signature"]
    sqs, events = aws_client("sqs", moto.endpoint), aws_client("events", moto.endpoint)
    queue = sqs.create_queue(QueueName="kept")["QueueUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody="in flight")
    ensure_event_bus(events, "kept-bus")
    events.put_rule(Name="kept", EventBusName="kept-bus", EventPattern=json.dumps({"source": ["fip.test"]}))
    events.put_targets(Rule="kept", EventBusName="kept-bus", Targets=[{"Id": "q", "Arn": queue_arn(sqs, queue)}])
    s3 = aws_client("s3", moto.endpoint)
    s3.create_bucket(Bucket="kept-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_object(Bucket="kept-bucket", Key="genotypes.vcf.gz", Body=b"\x1f\x8b genotypes")
    aws_client("secretsmanager", moto.endpoint).create_secret(Name="kept", SecretString="s3cret")
    aws_client("ses", moto.endpoint).verify_email_identity(EmailAddress="noreply@example.org")

    moto = restart(state_file, moto)
    try:
        assert moto.restored is True
        cognito, kms = aws_client("cognito-idp", moto.endpoint), aws_client("kms", moto.endpoint)
        signed_in = cognito.initiate_auth(
            ClientId=client,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "ada@example.org", "PASSWORD": PASSWORD},
        )["AuthenticationResult"]
        assert cognito.get_user(AccessToken=signed_in["AccessToken"])["Username"]
        groups = cognito.admin_list_groups_for_user(UserPoolId=pool, Username="ada@example.org")["Groups"]
        assert [group["GroupName"] for group in groups] == ["viewer"]
        assert kms.decrypt(CiphertextBlob=ciphertext, EncryptionContext=CONTEXT)["Plaintext"] == b"token"
        verified = kms.verify(
            KeyId=signing_key, Message=b"m", Signature=signature, SigningAlgorithm="RSASSA_PSS_SHA_256"
        )
        assert verified["SignatureValid"] is True
        sqs, events = aws_client("sqs", moto.endpoint), aws_client("events", moto.endpoint)
        assert [m["Body"] for m in sqs.receive_message(QueueUrl=queue)["Messages"]] == ["in flight"]
        events.put_events(
            Entries=[{"Source": "fip.test", "DetailType": "T", "Detail": "{}", "EventBusName": "kept-bus"}]
        )
        assert len(sqs.receive_message(QueueUrl=queue, VisibilityTimeout=0, MaxNumberOfMessages=10)["Messages"]) >= 1
        s3 = aws_client("s3", moto.endpoint)
        assert s3.get_object(Bucket="kept-bucket", Key="genotypes.vcf.gz")["Body"].read() == b"\x1f\x8b genotypes"
        assert aws_client("secretsmanager", moto.endpoint).get_secret_value(SecretId="kept")["SecretString"] == "s3cret"
        identities = aws_client("ses", moto.endpoint).list_identities()["Identities"]
        assert "noreply@example.org" in identities
    finally:
        moto.stop()


def test_a_change_is_on_disk_when_answered_and_a_read_writes_nothing(fresh_backends: None, tmp_path: Path) -> None:
    state_file = tmp_path / "moto-state.pickle"
    moto = MotoEndpoint(state_file=state_file)
    moto.start()
    try:
        sqs = aws_client("sqs", moto.endpoint)
        sqs.create_queue(QueueName="answered-then-saved")
        saved = state_file.read_bytes()
        assert b"answered-then-saved" in saved
        assert stat.S_IMODE(state_file.stat().st_mode) == 0o600  # it holds passwords and key material
        written_at = state_file.stat().st_mtime_ns
        sqs.list_queues()
        sqs.get_queue_url(QueueName="answered-then-saved")
        assert state_file.stat().st_mtime_ns == written_at
    finally:
        moto.stop()


def test_a_file_from_another_moto_version_is_refused_with_what_to_do(tmp_path: Path) -> None:
    state_file = tmp_path / "moto-state.pickle"
    state_file.write_bytes(pickle.dumps({"format": 1, "moto": "0.0.1", "backends": {}}))
    with pytest.raises(MotoStateError, match=r"moto 0\.0\.1 wrote it .* run `make clean`"):
        MotoState(state_file).restore()
    state_file.write_bytes(b"not a pickle")
    with pytest.raises(MotoStateError, match="cannot be read"):
        MotoState(state_file).restore()

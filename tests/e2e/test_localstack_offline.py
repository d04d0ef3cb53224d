"""LocalStack as the platform runs it stays on loopback: it listens on 127.0.0.1 only, and neither
at start nor serving each service it emulates for us does it look up a name or open a connection
off this machine (its downloads, analytics, DNS server and S3 host check are off). Every lookup,
connect, bind and datagram of its process is recorded through Python's audit hooks."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import pytest

from local_platform.aws import aws_client
from local_platform.localstack import LocalStack
from tests.support.network_records import AUDIT_HOOK, audit_records, is_local
from tests.support.platform_process import require_localstack

pytestmark = pytest.mark.e2e

TCP_LISTEN = "0A"


def listening_addresses(pid: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """The local addresses of the TCP sockets a process listens on (Linux /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd) if fd.is_symlink() else ""
        if target.startswith("socket:["):
            inodes.add(target.removeprefix("socket:[").removesuffix("]"))
    addresses: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    for table, width in (("tcp", 4), ("tcp6", 16)):
        for row in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = row.split()
            if fields[3] == TCP_LISTEN and fields[9] in inodes:
                hex_address = bytes.fromhex(fields[1].split(":")[0])
                # /proc prints each 32-bit word in host (little-endian) order
                words = [hex_address[i : i + 4][::-1] for i in range(0, width, 4)]
                addresses.append(ipaddress.ip_address(b"".join(words)))
    return addresses


def test_localstack_listens_and_talks_on_loopback_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    audit = tmp_path / "network.jsonl"
    monkeypatch.setenv("PYTHONPATH", str(AUDIT_HOOK))
    monkeypatch.setenv("FIP_NETWORK_AUDIT_FILE", str(audit))
    server = LocalStack(require_localstack(), tmp_path / "localstack")
    server.start()
    try:
        assert server.pid is not None
        listening = listening_addresses(server.pid)
        s3 = aws_client("s3", server.endpoint)
        s3.create_bucket(Bucket="offline-check", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        s3.put_object(Bucket="offline-check", Key="k", Body=b"v")
        assert s3.get_object(Bucket="offline-check", Key="k")["Body"].read() == b"v"
        sqs = aws_client("sqs", server.endpoint)
        queue = sqs.create_queue(QueueName="offline-check")["QueueUrl"]
        sqs.send_message(QueueUrl=queue, MessageBody="m")
        events = aws_client("events", server.endpoint)
        events.put_events(Entries=[{"Source": "fip.test", "DetailType": "T", "Detail": "{}"}])
        kms = aws_client("kms", server.endpoint)
        kms.encrypt(KeyId=kms.create_key()["KeyMetadata"]["KeyId"], Plaintext=b"x")
        aws_client("secretsmanager", server.endpoint).create_secret(Name="offline-check", SecretString="s")
        ses = aws_client("ses", server.endpoint)
        ses.verify_email_identity(EmailAddress="noreply@example.org")
        ses.send_email(
            Source="noreply@example.org",
            Destination={"ToAddresses": ["ada@example.org"]},
            Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}},
        )
        aws_client("sts", server.endpoint).get_caller_identity()
    finally:
        server.stop()
    assert listening, "LocalStack's gateway socket was not found"
    assert all(address.is_loopback for address in listening), listening
    records = audit_records(audit)
    assert any(r["what"] == "bind" for r in records), "the audit hook saw nothing: was it loaded?"
    assert [r for r in records if not is_local(r)] == []

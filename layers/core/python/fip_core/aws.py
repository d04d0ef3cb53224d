"""boto3 clients made lazily, once per container, each call bounded in time.

boto3 reads `AWS_ENDPOINT_URL` itself, so the same code talks to AWS, to moto in server mode or
to LocalStack without a branch here.

A call that hangs must fail while the function still runs, so that its error is ours and not a
Lambda timeout: every client connects within `CONNECT_TIMEOUT_SECONDS`, tries `MAX_ATTEMPTS` times
in all with the `standard` retry mode (exponential backoff with jitter, and a retry quota that stops
retrying while AWS keeps failing), and waits for each read as long as the function's own timeout
(`FIP_FUNCTION_TIMEOUT_SECONDS`, which the CDK app sets from the declaration) leaves: the worst case,
every try timing out plus the longest backoff between tries, ends before the function does
(tests/integration/test_aws_clients.py holds every declared function to it).
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from fip_core.container import per_container
from fip_core.settings import platform_settings

CONNECT_TIMEOUT_SECONDS = 0.5  # connection and TLS handshake to an in-region endpoint take milliseconds
MAX_ATTEMPTS = 2  # the first call and one retry
RETRY_MODE = "standard"
# botocore's standard mode waits at most 1 s before a retry after throttling, plus up to 5 s more when
# the service asks for it (x-amz-retry-after)
LONGEST_BACKOFF_SECONDS = 6.0
SAFETY_MARGIN_SECONDS = 0.5  # for the function's own work around the call
# The calls made (KMS, Secrets Manager, Cognito, EventBridge) answer well within a second; Cognito's
# sign-in with threat protection may take a few: a function with time to spare waits up to 10 s.
READ_TIMEOUT_RANGE_SECONDS = (1.0, 10.0)


def read_timeout_seconds(function_timeout_seconds: float) -> float:
    """The longest wait for one read that still lets every try and backoff end within the function's time."""
    spare = function_timeout_seconds - LONGEST_BACKOFF_SECONDS - SAFETY_MARGIN_SECONDS
    per_try = spare / MAX_ATTEMPTS - CONNECT_TIMEOUT_SECONDS
    low, high = READ_TIMEOUT_RANGE_SECONDS
    return round(min(high, max(low, per_try)), 2)


def client_config(read_timeout: float | None = None) -> Config:
    """The timeouts and retries of every boto3 client the platform makes; by default the read timeout
    this function's time allows, or a given one (the local platform's queue pollers long-poll)."""
    if read_timeout is None:
        read_timeout = read_timeout_seconds(platform_settings().function_timeout_seconds)
    return Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=read_timeout,
        retries={"mode": RETRY_MODE, "total_max_attempts": MAX_ATTEMPTS},
    )


@per_container
def aws_client(service_name: str) -> Any:
    """The boto3 client for one AWS service, made on first use."""
    config = client_config()
    if service_name == "s3":
        # presigned URLs signed with SigV4: boto3 would otherwise presign with SigV2, which S3 refuses in
        # regions opened since 2014 and has deprecated everywhere
        config = config.merge(Config(signature_version="s3v4"))
    return boto3.client(service_name, config=config)

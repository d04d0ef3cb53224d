"""boto3 clients made lazily, once per container, each call bounded in time.

boto3 reads `AWS_ENDPOINT_URL` itself, so the same code talks to AWS, to moto in server mode or
to LocalStack without a branch here.

A call that hangs must fail while the function still runs, so that its error is ours and not a
Lambda timeout: every client connects within `CONNECT_TIMEOUT_SECONDS`, waits at most
`READ_TIMEOUT_SECONDS` for each read, and tries `MAX_ATTEMPTS` times in all with the `standard`
retry mode (exponential backoff with jitter, and a retry quota that stops retrying while AWS keeps
failing). The worst case, every try timing out plus the longest backoff between tries, stays below
the shortest function timeout: tests/integration/test_aws_clients.py holds every declared function to it.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from fip_core.container import per_container

# Short, because the budget is tight: two tries, and up to 6 s of backoff between them when AWS throttles
# and asks for a wait (x-amz-retry-after), must fit the 10 s of the authorizer and the credentials function.
CONNECT_TIMEOUT_SECONDS = 0.5  # connection and TLS handshake to an in-region endpoint take milliseconds
READ_TIMEOUT_SECONDS = 1.25  # the calls made (KMS, Secrets Manager, Cognito, EventBridge) answer well within it
MAX_ATTEMPTS = 2  # the first call and one retry
RETRY_MODE = "standard"


def client_config(read_timeout_seconds: float | None = None) -> Config:
    """The timeouts and retries of every boto3 client the platform makes; a longer read timeout only
    for a caller that long-polls (the local platform's queue pollers)."""
    return Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS if read_timeout_seconds is None else read_timeout_seconds,
        retries={"mode": RETRY_MODE, "total_max_attempts": MAX_ATTEMPTS},
    )


@per_container
def aws_client(service_name: str) -> Any:
    """The boto3 client for one AWS service, made on first use."""
    return boto3.client(service_name, config=client_config())

"""boto3 clients made lazily, once per container.

boto3 reads `AWS_ENDPOINT_URL` itself, so the same code talks to AWS, to moto in server mode or
to LocalStack without a branch here.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3


@cache
def aws_client(service_name: str) -> Any:
    """The boto3 client for one AWS service, made on first use."""
    return boto3.client(service_name)


def reset_aws_clients() -> None:
    """Forget the cached clients (tests and the local platform change endpoints)."""
    aws_client.cache_clear()

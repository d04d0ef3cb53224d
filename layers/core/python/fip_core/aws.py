"""boto3 clients made lazily, once per container.

boto3 reads `AWS_ENDPOINT_URL` itself, so the same code talks to AWS, to moto in server mode or
to LocalStack without a branch here.
"""

from __future__ import annotations

from typing import Any

import boto3

from fip_core.container import per_container


@per_container
def aws_client(service_name: str) -> Any:
    """The boto3 client for one AWS service, made on first use."""
    return boto3.client(service_name)

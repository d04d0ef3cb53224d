"""A declared internal call that gets no answer is one error, `InternalCallError`, whatever failed: Lambda
refusing the invocation (a function that does not exist) or no endpoint answering at all."""

from __future__ import annotations

import socket

import pytest

from fip_core import calls
from fip_core.aws import aws_client
from fip_core.declaration import InternalCall

CALL = InternalCall(function="api", domain="users", target="credentials")


@pytest.fixture
def declared_target(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CALL.variable("jobs"), "users-credentials-nowhere")


@pytest.mark.usefixtures("declared_target")
def test_a_target_lambda_does_not_know_is_an_internal_call_error(moto):
    moto.reset()
    with pytest.raises(calls.InternalCallError, match="could not be invoked: ResourceNotFoundException"):
        calls.invoke("jobs", CALL, {"user_id": "u", "service_id": "s"})


@pytest.mark.usefixtures("declared_target")
def test_an_endpoint_that_does_not_answer_is_an_internal_call_error(monkeypatch):
    with socket.socket() as held:  # a loopback port bound and not listening: every connection is refused
        held.bind(("127.0.0.1", 0))
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{held.getsockname()[1]}")
        aws_client.cache_clear()
        try:
            with pytest.raises(calls.InternalCallError, match=r"users/credentials could not be invoked"):
                calls.invoke("jobs", CALL, {"user_id": "u", "service_id": "s"})
        finally:
            aws_client.cache_clear()

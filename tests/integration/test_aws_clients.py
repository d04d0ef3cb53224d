"""Every boto3 client connects, reads and retries within fixed limits, and the worst case of one call,
every try timing out and the longest backoff botocore's standard mode may wait between tries, ends
before the shortest timeout of any declared function. A call to an endpoint that never answers gives
up after the configured number of tries (a loopback listener counts them)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from botocore.exceptions import ReadTimeoutError
from botocore.retries.standard import ExponentialBackoff, RetryContext

from fip_core import aws
from fip_core.aws import aws_client
from fip_core.settings import platform_settings
from infra.domains import DOMAINS
from local_platform import aws as local_aws
from local_platform.subscriptions import POLL_WAIT_SECONDS


def _longest_backoff_before(attempt: int) -> float:
    """The longest wait botocore's standard mode makes after try `attempt` fails: full jitter, a
    throttling error's base, and the longest wait the service may ask for (x-amz-retry-after)."""
    backoff = ExponentialBackoff(
        random=lambda: 1.0,
        throttling_detector=SimpleNamespace(is_throttling_error_from_context=lambda _context: True),
    )
    asks_for_an_hour = SimpleNamespace(headers={"x-amz-retry-after": str(3_600_000)})
    return float(backoff.delay_amount(RetryContext(attempt_number=attempt, http_response=asks_for_an_hour)))


def worst_case_seconds(function_timeout_seconds: float) -> float:
    """How long one call of a platform client, in a function with this timeout, can take before it raises."""
    read = aws.read_timeout_seconds(function_timeout_seconds)
    tries = aws.MAX_ATTEMPTS * (aws.CONNECT_TIMEOUT_SECONDS + read)
    return tries + sum(_longest_backoff_before(attempt) for attempt in range(1, aws.MAX_ATTEMPTS))


def test_longest_backoff_is_what_botocore_may_wait() -> None:
    # the first retry waits at most 1 s (throttling base) plus 5 s when the service asks for more
    assert _longest_backoff_before(1) == pytest.approx(aws.LONGEST_BACKOFF_SECONDS)


def test_a_function_with_time_to_spare_waits_longer_for_an_answer() -> None:
    assert aws.read_timeout_seconds(10) == 1.25
    assert aws.read_timeout_seconds(29) == 10.0
    assert aws.read_timeout_seconds(1) == 1.0  # never less: a function this short makes no AWS call


@pytest.mark.parametrize(
    "function",
    [(domain.name, function) for domain in DOMAINS for function in domain.functions],
    ids=lambda pair: f"{pair[0]}-{pair[1].name}",
)
def test_one_aws_call_ends_before_the_function_times_out(function) -> None:
    _domain, declaration = function
    assert worst_case_seconds(declaration.timeout_seconds) < declaration.timeout_seconds


def test_platform_client_has_the_timeouts_and_standard_retries(monkeypatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("FIP_FUNCTION_TIMEOUT_SECONDS", "10")
    platform_settings.cache_clear()
    aws_client.cache_clear()
    config = aws_client("kms").meta.config
    assert config.connect_timeout == aws.CONNECT_TIMEOUT_SECONDS
    assert config.read_timeout == 1.25
    assert config.retries == {"mode": "standard", "total_max_attempts": aws.MAX_ATTEMPTS}
    aws_client.cache_clear()
    platform_settings.cache_clear()


def test_local_platform_client_allows_its_long_polls_and_retries_the_same_way() -> None:
    config = local_aws.aws_client("sqs", "http://127.0.0.1:9").meta.config
    assert config.read_timeout == local_aws.READ_TIMEOUT_SECONDS > POLL_WAIT_SECONDS
    assert config.connect_timeout == aws.CONNECT_TIMEOUT_SECONDS
    assert config.retries == {"mode": "standard", "total_max_attempts": aws.MAX_ATTEMPTS}


@pytest.fixture
def silent_listener() -> Iterator[socket.socket]:
    """A loopback port that takes connections (the kernel completes them) and never answers."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield listener
    listener.close()


def _requests_received(listener: socket.socket) -> list[bytes]:
    """The first bytes of each connection waiting to be accepted: one per try the client made."""
    listener.setblocking(False)
    received: list[bytes] = []
    while True:
        try:
            connection, _ = listener.accept()
        except BlockingIOError:
            return received
        with connection:
            connection.settimeout(5)
            received.append(connection.recv(4096))


def test_a_call_that_gets_no_answer_gives_up_after_the_configured_tries(silent_listener, monkeypatch) -> None:
    # a shorter read timeout than in production, so the test is quick; the tries are what is counted
    monkeypatch.setattr(aws, "READ_TIMEOUT_RANGE_SECONDS", (0.2, 0.2))
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{silent_listener.getsockname()[1]}")
    aws_client.cache_clear()
    try:
        with pytest.raises(ReadTimeoutError):
            aws_client("kms").decrypt(CiphertextBlob=b"sealed")
    finally:
        aws_client.cache_clear()
    requests = _requests_received(silent_listener)
    assert len(requests) == aws.MAX_ATTEMPTS
    assert all(request.startswith(b"POST / HTTP/1.1") and b"TrentService.Decrypt" in request for request in requests)

"""The local platform's Lambda Invoke API, without a socket: what it answers for a declared call
target, a function no call targets, one no domain declares, a failing function, and the invocation
types Lambda has."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from local_platform.invoke import LambdaInvokeApi, call_targets
from tests.support import intake_domain

PATH = "/2015-03-31/functions/{}/invocations"


class Runtime:
    """Records invocations; fails when the event asks it to."""

    def __init__(self) -> None:
        self.invoked: list[tuple[str, str, Any]] = []

    def __call__(self, domain: str, function: str, event: Any) -> Any:
        self.invoked.append((domain, function, event))
        if event.get("fail"):
            raise LookupError("no such token")
        return {"token": "t"}


@pytest.fixture
def runtime() -> Runtime:
    return Runtime()


@pytest.fixture
def api(runtime: Runtime) -> LambdaInvokeApi:
    return LambdaInvokeApi(intake_domain.PLATFORM, runtime)


def _invoke(api: LambdaInvokeApi, name: str, body: bytes = b"{}", **headers: str) -> Any:
    return api.answer("POST", PATH.format(name), {k.replace("_", "-"): v for k, v in headers.items()}, body)


def test_the_targets_are_the_declared_calls():
    assert call_targets(intake_domain.PLATFORM) == {"users-credentials": ("users", "credentials")}


@pytest.mark.parametrize(
    "name",
    [
        "users-credentials",
        "arn:aws:lambda:eu-west-1:123456789012:function:users-credentials",
        "arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Ausers-credentials%3A%24LATEST",
        "123456789012:function:users-credentials",
    ],
)
def test_a_declared_target_runs_with_the_payload_by_name_or_arn(api, runtime, name):
    answer = _invoke(api, name, json.dumps({"user_id": "u", "service_id": "s"}).encode())
    assert answer.status == 200
    assert json.loads(answer.body) == {"token": "t"}
    assert "X-Amz-Function-Error" not in answer.headers
    assert runtime.invoked == [("users", "credentials", {"user_id": "u", "service_id": "s"})]


def test_a_failing_function_answers_its_error_as_lambda_does(api):
    answer = _invoke(api, "users-credentials", b'{"fail": true}')
    assert (answer.status, answer.headers["X-Amz-Function-Error"]) == (200, "Unhandled")
    error = json.loads(answer.body)
    assert (error["errorType"], error["errorMessage"]) == ("LookupError", "no such token")


def test_a_function_no_call_targets_is_refused_and_not_run(api, runtime):
    answer = _invoke(api, "users-bootstrap-admin")
    assert (answer.status, answer.headers["x-amzn-ErrorType"]) == (403, "AccessDeniedException")
    assert "no domain declares a call to it" in json.loads(answer.body)["Message"]
    assert runtime.invoked == []


def test_a_function_no_domain_declares_is_not_found(api, runtime):
    answer = _invoke(api, "jobs-poll")
    assert (answer.status, answer.headers["x-amzn-ErrorType"]) == (404, "ResourceNotFoundException")
    assert runtime.invoked == []


def test_a_payload_that_is_not_json_is_refused(api, runtime):
    answer = _invoke(api, "users-credentials", b"{not json")
    assert (answer.status, answer.headers["x-amzn-ErrorType"]) == (400, "InvalidRequestContentException")
    assert runtime.invoked == []


def test_a_dry_run_checks_without_running(api, runtime):
    assert _invoke(api, "users-credentials", x_amz_invocation_type="DryRun").status == 204
    assert runtime.invoked == []


def test_an_unknown_invocation_type_and_another_operation_are_refused(api):
    assert _invoke(api, "users-credentials", x_amz_invocation_type="Later").status == 400
    assert api.answer("GET", "/2015-03-31/functions/users-credentials", {}, b"").status == 404


def test_an_event_invocation_is_accepted_and_runs_in_the_background():
    ran = threading.Event()

    def runtime(domain: str, function: str, event: Any) -> None:
        ran.set()

    answer = _invoke(
        LambdaInvokeApi(intake_domain.PLATFORM, runtime), "users-credentials", x_amz_invocation_type="Event"
    )
    assert (answer.status, answer.body) == (202, b"")
    assert ran.wait(timeout=10), "the function ran"

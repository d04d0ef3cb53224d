"""Calling another domain's internal function, as the caller's declaration says (`InternalCall`):
through Lambda's Invoke API, synchronously, with boto3 exactly as in the cloud. The local platform
answers the same API on loopback (`local_platform/invoke.py`).

The target's name comes from the variable the CDK app (or the local platform) sets for the declared
call; a call nobody declared has no variable and fails here, before any request.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from fip_core.aws import aws_client
from fip_core.declaration import InternalCall
from fip_core.resources import variable_stem


class InternalCallError(RuntimeError):
    """The target function could not be reached, failed (raised, timed out) or answered something that is
    not JSON: the one error a caller catches for a call that gave no answer."""


class CallTarget(BaseSettings):
    """Where a declared call goes: `<CALLER>_<DOMAIN>_<TARGET>_FUNCTION_NAME`."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    function_name: str = Field(min_length=1, description="The target function's name (or ARN).")


def call_target(caller_domain: str, call: InternalCall) -> CallTarget:
    """The target of a call this domain declared, from its variable (missing: the call is not declared)."""
    return CallTarget(_env_prefix=f"{variable_stem(caller_domain)}_{call.settings_prefix}")


def declared(caller_domain: str, call: InternalCall) -> bool:
    """Whether this function may make the call here: its target's variable is set (by the CDK app or
    the local platform, for the functions of the domain that declares it)."""
    try:
        call_target(caller_domain, call)
    except ValidationError:
        return False
    return True


def invoke(caller_domain: str, call: InternalCall, payload: dict[str, Any]) -> Any:
    """Invoke the call's target with `payload` and answer what it returned; `InternalCallError` when it
    failed. Neither the payload nor the answer is logged: they may carry secrets."""
    name = call_target(caller_domain, call).function_name
    try:
        answer = aws_client("lambda").invoke(
            FunctionName=name, InvocationType="RequestResponse", Payload=json.dumps(payload).encode()
        )
        body = answer["Payload"].read()
    except (ClientError, BotoCoreError) as failure:
        raise InternalCallError(
            f"{call.domain}/{call.target} could not be invoked: {type(failure).__name__}"
        ) from failure
    if answer.get("FunctionError"):
        # the runtime's error document names the error's type and message, never the payload
        try:
            error = json.loads(body)
        except ValueError:
            error = {}
        raise InternalCallError(
            f"{call.domain}/{call.target} failed ({answer['FunctionError']}): "
            f"{error.get('errorType', '?')}: {error.get('errorMessage', '')}"
        )
    try:
        return json.loads(body) if body else None
    except ValueError as error:
        raise InternalCallError(f"{call.domain}/{call.target} answered something that is not JSON") from error

"""The Lambda entry point of every function that is not an HTTP API: scheduled, event-driven,
directly invoked, and the authorizer. Kept apart from `fip_core.http` so that these functions do
not import the HTTP resolver and its OpenAPI machinery on a cold start."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from fip_core.observability import Observability

LambdaHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def task_handler(
    obs: Observability, task: Callable[[dict[str, Any]], Any], correlation_id_path: str = correlation_paths.EVENT_BRIDGE
) -> LambdaHandler:
    """The Lambda entry point of a scheduled, event-driven or directly invoked function, with the
    same Powertools order as the API handler; a pydantic result is answered as JSON. Results are not
    recorded in traces: some carry secrets (a decrypted token, an authorizer's principal)."""

    @obs.logger.inject_lambda_context(correlation_id_path=correlation_id_path, clear_state=True)
    @obs.metrics.log_metrics(capture_cold_start_metric=obs.cold_start_metric)
    @obs.tracer.capture_lambda_handler(capture_response=False)
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        result = task(event)
        return result.model_dump(mode="json") if isinstance(result, BaseModel) else result

    return cast(LambdaHandler, handler)

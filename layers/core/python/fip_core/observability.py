"""Powertools Logger (JSON, with correlation id) and Metrics for one domain, and the one wrapper every
Lambda entry point of the platform goes through.

Tracing is Lambda's own active tracing (X-Ray), set on every function by the CDK app: Lambda records
each invocation's initialisation, invocation and overhead segments, and boto3 passes the trace header
on to the AWS services the function calls. No tracing SDK runs in the functions (the X-Ray SDK is in
maintenance, and with Powertools' Tracer it patched every library it knew on a cold start, more than
doubling the import time of a small function: bench/cold_start.py), so nothing a function answers can
end up in a trace.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

METRICS_NAMESPACE = "FederatedImputation"
LambdaHandler = Callable[[dict[str, Any], "LambdaContext"], dict[str, Any]]

# A request that adds no metric is normal (most reads); Powertools would warn on every one.
warnings.filterwarnings("ignore", message="No application metrics to publish")


@dataclass(frozen=True)
class Observability:
    """The Powertools logger and metrics of one domain, shared by all its handlers."""

    logger: Logger
    metrics: Metrics
    # Powertools writes the cold-start metric even when metrics are disabled; it is asked for only when enabled
    cold_start_metric: bool = True

    def entry_point(self, handler: LambdaHandler, correlation_id_path: str) -> LambdaHandler:
        """A handler with the house order of Powertools decorators: the logger (a correlation id, no state
        left from the last event), then metrics flushed after each event."""
        logged = self.logger.inject_lambda_context(correlation_id_path=correlation_id_path, clear_state=True)
        measured = self.metrics.log_metrics(capture_cold_start_metric=self.cold_start_metric)
        return cast(LambdaHandler, logged(measured(handler)))


@cache
def observability(domain: str) -> Observability:
    """The logger and metrics of a domain, named after it."""
    return Observability(
        logger=Logger(service=domain),
        metrics=Metrics(namespace=METRICS_NAMESPACE, service=domain),
        cold_start_metric=not is_metrics_disabled(),
    )

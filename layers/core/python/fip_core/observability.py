"""Powertools Logger (JSON, with correlation id), Tracer and Metrics for one domain."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cache

from aws_lambda_powertools import Logger, Metrics, Tracer
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from fip_core.settings import METRICS_NAMESPACE

# A request that adds no metric is normal (most reads); Powertools would warn on every one.
warnings.filterwarnings("ignore", message="No application metrics to publish")


class PowertoolsSettings(BaseSettings):
    """The Powertools variables the platform itself reads."""

    model_config = SettingsConfigDict(env_prefix="POWERTOOLS_", extra="ignore", frozen=True)

    metrics_disabled: bool = Field(default=False, description="No metrics are written (local runs, tests).")


@dataclass(frozen=True)
class Observability:
    """The three Powertools utilities of one domain, shared by all its handlers."""

    logger: Logger
    tracer: Tracer
    metrics: Metrics
    # Powertools writes the cold-start metric even when metrics are disabled; it is asked for only when enabled
    cold_start_metric: bool = True


@cache
def observability(domain: str) -> Observability:
    """The logger, tracer and metrics of a domain, named after it."""
    return Observability(
        logger=Logger(service=domain),
        tracer=Tracer(service=domain),
        metrics=Metrics(namespace=METRICS_NAMESPACE, service=domain),
        cold_start_metric=not PowertoolsSettings().metrics_disabled,
    )

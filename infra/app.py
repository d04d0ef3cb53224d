"""The CDK app: `python -m infra.app` builds the Lambda assets and synthesises the platform's stack
into `cdk.out`, checked by cdk-nag's AWS Solutions rules; it fails on any finding not acknowledged with a reason."""

from __future__ import annotations

import os
import re
import sys

from aws_cdk import App, Environment, Tags, Validations
from aws_cdk.cx_api import SynthesisMessageLevel

from infra.bundling import prepare_assets
from infra.compliance import solutions_checks
from infra.constants import (
    ALARM_EMAIL_CONTEXT_KEY,
    DEFAULT_ENVIRONMENT,
    DEFAULT_OUTDIR,
    ENVIRONMENT_CONTEXT_KEY,
    FEATURE_FLAGS,
    MAIL_FROM_CONTEXT_KEY,
    MAIL_VERIFIED_CONTEXT_KEY,
    NAME_PREFIX,
    WEB_ORIGIN_CONTEXT_KEY,
)
from infra.domains import DOMAINS
from infra.profiles import (
    CLUSTER_PER_DOMAIN_CONTEXT_KEY,
    DEFAULT_RESERVED_CONCURRENCY,
    PROFILE_CONTEXT_KEY,
    RESERVED_CONCURRENCY_CONTEXT_KEY,
    profile_named,
)
from infra.stack import PlatformStack


def deployment_environment() -> Environment | None:
    """The account and region the CDK CLI resolved, if any; without them the stack is
    environment-agnostic and synthesises with no credentials at all."""
    account = os.environ.get("CDK_DEFAULT_ACCOUNT")
    region = os.environ.get("CDK_DEFAULT_REGION")
    if account is None and region is None:
        return None
    return Environment(account=account, region=region)


def build_app(outdir: str | None = None, context: dict[str, object] | None = None) -> tuple[App, PlatformStack]:
    """The app with the platform's stack and the cdk-nag checks, its assets built (not yet synthesised).
    `context` adds to what the CLI passes (`-c key=value`)."""
    # the CLI says where to write through CDK_OUTDIR; run directly, the app writes to cdk.out
    app = App(
        outdir=outdir or os.environ.get("CDK_OUTDIR") or str(DEFAULT_OUTDIR),
        context={**FEATURE_FLAGS, **(context or {})},
    )
    environment = str(app.node.try_get_context(ENVIRONMENT_CONTEXT_KEY) or DEFAULT_ENVIRONMENT)
    stack = PlatformStack(
        app,
        f"{NAME_PREFIX}-{environment}",
        description=f"Federated Imputation Platform ({environment})",
        domains=DOMAINS,
        assets=prepare_assets(DOMAINS),
        environment=environment,
        alarm_email=app.node.try_get_context(ALARM_EMAIL_CONTEXT_KEY),
        profile=profile_named(app.node.try_get_context(PROFILE_CONTEXT_KEY)),
        cluster_per_domain=_flag(app.node.try_get_context(CLUSTER_PER_DOMAIN_CONTEXT_KEY)),
        reserved_concurrency_limit=int(
            app.node.try_get_context(RESERVED_CONCURRENCY_CONTEXT_KEY) or DEFAULT_RESERVED_CONCURRENCY
        ),
        mail_from=app.node.try_get_context(MAIL_FROM_CONTEXT_KEY),
        mail_verified=str(app.node.try_get_context(MAIL_VERIFIED_CONTEXT_KEY)).lower() == "true",
        web_origins=_origins(app.node.try_get_context(WEB_ORIGIN_CONTEXT_KEY)),
        env=deployment_environment(),
    )
    Tags.of(app).add("project", "federated-imputation-platform")
    Tags.of(app).add("environment", environment)
    Validations.of(app).add_plugins(solutions_checks(app))
    return app, stack


def _origins(value: object) -> tuple[str, ...]:
    # `-c web_origin=https://a.example.org,https://b.example.org`; each an origin: scheme, host, port
    origins = tuple(origin.strip() for origin in str(value or "").split(",") if origin.strip())
    for origin in origins:
        if not re.fullmatch(r"https://[A-Za-z0-9.-]+(:\d+)?", origin):
            raise ValueError(
                f"{WEB_ORIGIN_CONTEXT_KEY} takes origins such as https://imputation.example.org, not {origin!r}"
            )
    return origins


def _flag(value: object) -> bool:
    # `-c key=true` arrives as a string, a test's context as a bool
    return value is True or str(value).lower() in ("true", "1", "yes")


def main() -> int:
    """Synthesise, and fail when cdk-nag (or the CDK) reports an error."""
    app, _ = build_app()
    assembly = app.synth()
    errors = [
        f"{message.id}: {message.entry.data}"
        for stack in assembly.stacks
        for message in stack.messages
        if message.level == SynthesisMessageLevel.ERROR
    ]
    for error in errors:
        sys.stderr.write(error + "\n")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

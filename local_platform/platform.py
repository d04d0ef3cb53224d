"""The whole platform in one process, started and stopped as one thing: `LocalPlatform`."""

from __future__ import annotations

import json
import os
from functools import partial
from pathlib import Path
from typing import Any

from fip_core.container import forget_container
from fip_core.declaration import DomainDeclaration, cross_domain_problems
from fip_core.settings import platform_settings
from infra.domains import DOMAINS
from infra.resources.kind import Emulator
from local_platform.authorizer import GatewayAuthorizer, authorizing_domain
from local_platform.aws import AwsEndpoints, MotoEndpoint, SubscriptionQueue, aws_client, provision
from local_platform.config import (
    PlatformConfig,
    database_location,
    database_url,
    forget_database,
    handler_environment,
)
from local_platform.docs import DOCS_PATH, OPENAPI_PATH, SwaggerUi
from local_platform.gateway import Gateway, GatewayServer
from local_platform.invoke import LambdaInvokeApi, LambdaInvokeServer, call_targets
from local_platform.lambdas import FunctionRuntime
from local_platform.localstack import LocalStack
from local_platform.mailbox import sent_emails
from local_platform.openapi import TITLE, platform_openapi
from local_platform.resources import LocalResources, provision_resources
from local_platform.routing import RouteMatch, RouteTable
from local_platform.scheduler import ScheduleTimer, summarise
from local_platform.subscriptions import POLL_WAIT_SECONDS, SubscriptionPoller
from local_platform.web_console import WebConsole

STOP_TIMEOUT_SECONDS = POLL_WAIT_SECONDS + 3
MOTO_STATE_FILE = "moto-state.pickle"
LOCALSTACK_DIR = "localstack"
AWS_KIND_FILE = "local-aws"  # which emulator the state folder's accounts and keys live in
MOTO_ONLY_SERVICES = ("cognito-idp",)  # what LocalStack's community edition does not emulate


class StateFolderError(RuntimeError):
    """The state folder was made with the other emulator."""


class LocalPlatform:
    """The gateway, moto, the domains' databases, event delivery and schedules, on loopback.

    `start()` sets the environment the handlers read (and `stop()` puts the previous one back), so
    only one platform should run per process.
    """

    def __init__(
        self,
        config: PlatformConfig | None = None,
        domains: tuple[DomainDeclaration, ...] = DOMAINS,
        *,
        access_log: bool = True,
    ) -> None:
        if problems := cross_domain_problems(domains):
            raise ValueError("the domains' calls to each other do not agree: " + "; ".join(problems))
        self.config = config or PlatformConfig()
        self.domains = domains
        self.runtime = FunctionRuntime(domains)
        self.access_log = access_log
        self.aws = AwsEndpoints("")
        self.aws_endpoint = ""
        self.databases: dict[str, str] = {}
        self.migrations: dict[str, Any] = {}
        self.resources = LocalResources()
        self.bootstrapped: dict[str, Any] = {}
        self.queues: list[SubscriptionQueue] = []
        self._gateway: GatewayServer | None = None
        self._moto: MotoEndpoint | None = None
        self._localstack: LocalStack | None = None
        self._invoke: LambdaInvokeServer | None = None
        self._openapi: dict[str, Any] = {}
        self._pollers: list[SubscriptionPoller] = []
        self._timers: list[ScheduleTimer] = []
        self._previous_environment: dict[str, str | None] = {}
        # the console's uploads go straight to the emulator's S3, known once it has started
        self._web = WebConsole(self.config.web_dist, lambda: (self.aws_endpoint,))

    @property
    def url(self) -> str:
        """The API's base URL."""
        if self._gateway is None:
            raise RuntimeError("the platform is not started")
        return self._gateway.url

    @property
    def state_dir(self) -> Path:
        """Where the domains' SQLite databases are."""
        return self.config.resolved_state_dir

    @property
    def event_bus_name(self) -> str:
        """The bus domain events go to."""
        return platform_settings().event_bus_name

    def start(self) -> None:
        """Start everything; on failure, stop what was started and raise."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        routes = RouteTable(self.domains)
        gateway = Gateway(
            routes,
            self._invoke_api,
            lambda: self._openapi,
            SwaggerUi(TITLE),
            self._authorizer(),
            self._mailbox,
            self._web,
        )
        # bound first: the handlers are told the API's URL, and port 0 means a free one
        self._gateway = GatewayServer(gateway, self.config.port, access_log=self.access_log)
        try:
            self._start_services(self._gateway)
        except BaseException:
            self.stop()
            raise

    def _start_services(self, gateway: GatewayServer) -> None:
        self.aws = self._with_invoke_api(self._start_aws())
        self.aws_endpoint = self.aws.default
        self.databases = {domain.name: database_url(domain, self.config) for domain in self.domains}
        self._set_environment(handler_environment(self.config, self.domains, gateway.port, self.aws_endpoint))
        self._set_environment(dict(self.aws.environment()))
        self.resources = provision_resources(
            self.aws,
            self.domains,
            emulator=self._emulator,
            state_dir=self.state_dir / LOCALSTACK_DIR if self._localstack is not None else self.state_dir,
            web_origins=(gateway.url, gateway.url.replace("127.0.0.1", "localhost")),
            mail_from=self.config.mail_from,
        )
        self._set_environment(dict(self.resources.environment))
        self.queues = provision(
            self.aws_endpoint, self.event_bus_name, self.domains, self.resources.event_name, self.resources.topic_arn
        )
        for domain in self.domains:
            if domain.resources and self._moto is not None and not self._moto.restored:
                # a new pool and key: a database from before would name users and ciphertexts they lack
                forget_database(self.databases[domain.name])
            self.migrations[domain.name] = self.runtime.invoke(domain.name, domain.migrations_function, {})
        for domain in self.domains:
            if domain.bootstrap_function:
                first_admin = {"email": self.config.admin_email, "password": self.config.admin_password}
                self.bootstrapped[domain.name] = self.runtime.invoke(
                    domain.name, domain.bootstrap_function, first_admin
                )
        self._openapi = platform_openapi(self.domains)
        gateway.start()
        for queue in self.queues:
            poller = SubscriptionPoller(
                queue,
                aws_client("sqs", self.aws_endpoint),
                partial(self.runtime.invoke, queue.domain, queue.function),
                self.config.event_retry_seconds,
            )
            self._pollers.append(poller)
            poller.start()
        for domain in self.domains if self.config.schedules_enabled else ():
            for schedule in domain.schedules:
                timer = ScheduleTimer(
                    domain,
                    schedule,
                    self.config.schedule_seconds,
                    partial(self.runtime.invoke, domain.name, schedule.function),
                )
                self._timers.append(timer)
                timer.start()

    def _mailbox(self) -> list[dict[str, Any]] | None:
        """The email moto's SES accepted; None when SES is not the platform's moto (LocalStack shows
        its own at `/_aws/ses`; an emulator named by AWS_ENDPOINT_URL may be neither)."""
        if self._moto is None or self.aws.endpoint("ses") != self._moto.endpoint:
            return None
        return sent_emails()

    def _start_aws(self) -> AwsEndpoints:
        """moto, with its state kept in the state folder, and LocalStack if asked for; or the
        emulator named by AWS_ENDPOINT_URL, left as it is."""
        if self.config.aws_endpoint_url:
            return AwsEndpoints(self.config.aws_endpoint_url)
        self._check_state_folder_kind()
        self._moto = MotoEndpoint(self.config.moto_port, self.state_dir / MOTO_STATE_FILE)
        self._moto.start()
        if self.config.local_aws == "moto":
            return AwsEndpoints(self._moto.endpoint)
        self._localstack = LocalStack(
            self.config.localstack_python, self.state_dir / LOCALSTACK_DIR, self.config.localstack_port
        )
        self._localstack.start()
        return AwsEndpoints(self._localstack.endpoint, dict.fromkeys(MOTO_ONLY_SERVICES, self._moto.endpoint))

    @property
    def _emulator(self) -> Emulator:
        if self._localstack is not None:
            return "localstack"
        return "moto" if self._moto is not None else "external"

    def _with_invoke_api(self, aws: AwsEndpoints) -> AwsEndpoints:
        """Lambda's Invoke API served here for the declared calls, and the callers told their targets."""
        if not call_targets(self.domains):
            return aws
        self._invoke = LambdaInvokeServer(LambdaInvokeApi(self.domains, self.runtime.invoke))
        self._invoke.start()
        self._set_environment(
            {
                call.variable(domain.name): f"{call.domain}-{call.target}"
                for domain in self.domains
                for call in domain.calls
            }
        )
        return AwsEndpoints(aws.default, {**aws.by_service, "lambda": self._invoke.endpoint})

    def _check_state_folder_kind(self) -> None:
        # moto keeps the credentials key in its state file, LocalStack re-creates it from a pin file:
        # a folder used with one and started with the other would hold tokens no key decrypts
        marker = self.state_dir / AWS_KIND_FILE
        made_with = marker.read_text().strip() if marker.exists() else None
        if made_with is None:
            marker.write_text(f"{self.config.local_aws}\n")
        elif made_with != self.config.local_aws:
            raise StateFolderError(
                f"{self.state_dir} holds accounts and keys made with AWS={made_with}: start with AWS={made_with}, "
                f"or use another FIP_STATE_DIR, or `make clean` to start afresh"
            )

    def stop(self) -> None:
        """Stop timers, pollers, the gateway, LocalStack and moto; put the environment back as it was."""
        workers: list[ScheduleTimer | SubscriptionPoller] = [*self._timers, *self._pollers]
        for worker in workers:
            worker.stop()
        for worker in workers:
            worker.join(STOP_TIMEOUT_SECONDS)
        self._timers, self._pollers = [], []
        if self._gateway is not None:
            self._gateway.stop()
            self._gateway = None
        if self._invoke is not None:
            self._invoke.stop()
            self._invoke = None
        if self._localstack is not None:
            self._localstack.stop()
            self._localstack = None
        if self._moto is not None:
            self._moto.stop()
            self._moto = None
        self._restore_environment()

    def describe(self) -> str:
        """Where everything is, for the console."""
        lines = [
            "Federated Imputation Platform, running locally",
            f"  API         {self.url}",
            f"  console     {self.url}/{'' if self._web.built else ' (not built: make web)'}",
            f"  docs        {self.url}{DOCS_PATH}",
            f"  OpenAPI     {self.url}{OPENAPI_PATH}",
            *self._describe_aws(),
            f"  state       {self.state_dir}",
        ]
        for name, url in self.databases.items():
            lines.append(
                f"  database    {name}: {database_location(url)} ({_migration_summary(self.migrations.get(name))})"
            )
        if not self.config.schedules_enabled:
            lines.append("  schedule    off (FIP_SCHEDULES_ENABLED=false)")
        for timer in self._timers:
            lines.append(
                f"  schedule    {timer.rule_name} -> {timer.domain.name}-{timer.schedule.function}: every "
                f"{timer.interval_seconds:g} s here, every {timer.schedule.rate_minutes} min in the cloud"
            )
        for queue in self.queues:
            source = (
                f"  sns topic   {queue.topic_arn}"
                if queue.topic_arn
                else f"  event rule  {queue.rule_name} on {queue.bus}: {json.dumps(queue.pattern)}"
            )
            lines.append(
                f"{source} -> queue {queue.queue_name} -> {queue.domain}-{queue.function} "
                f"(dead letters: {queue.dead_letter_queue_name})"
            )
        if not self.queues:
            lines.append("  event rule  (no domain subscribes to events)")
        lines += [f"  resource    {line}" for line in self.resources.describe()]
        lines += [f"  variable    {key}={value}" for key, value in self.resources.environment.items()]
        if self._invoke is not None:
            targets = ", ".join(sorted(call_targets(self.domains)))
            lines.append(f"  Lambda      {self._invoke.endpoint} (Invoke, for the declared calls: {targets})")
        for name, result in self.bootstrapped.items():
            outcome = "created" if isinstance(result, dict) and "user_id" in result else summarise(result)
            lines += [
                f"  admin       {self.config.admin_email} ({name}: {outcome}); password from FIP_ADMIN_PASSWORD",
                f"              sign in: curl -s -X POST {self.url}/auth/sign-in \\",
                "                -H 'content-type: application/json' \\",
                f'                -d \'{{"email": "{self.config.admin_email}", "password": "<password>"}}\'',
                "              then send 'Authorization: Bearer <access_token>'. The admin role waits for two-factor",
                '              sign-in: POST /me/mfa/totp, then /me/mfa/totp/verify {"code": ...}, and sign in again',
                "              (202, then /auth/sign-in/mfa). Here moto takes any 6-digit code and any emailed code",
            ]
        lines.append("Press Ctrl+C to stop.")
        return "\n".join(lines)

    def _describe_aws(self) -> list[str]:
        bus = f"event bus {self.event_bus_name}"
        if self._moto is None:
            return [f"  AWS         {self.aws_endpoint} (from AWS_ENDPOINT_URL); {bus}"]
        kept = f"{'restored from' if self._moto.restored else 'new, kept in'} {self.state_dir / MOTO_STATE_FILE}"
        if self._localstack is None:
            return [f"  AWS         {self.aws_endpoint} (moto in server mode, {kept}); {bus}"]
        return [
            f"  AWS         {self.aws_endpoint} (LocalStack {self._localstack.version}, log in "
            f"{self._localstack.log_file}); {bus}",
            f"  Cognito     {self._moto.endpoint} (moto in server mode, {kept})",
        ]

    def _authorizer(self) -> GatewayAuthorizer | None:
        domain = authorizing_domain(self.domains)
        if domain is None or domain.authorizer_function is None:
            return None
        invoke = partial(self.runtime.invoke, domain.name, domain.authorizer_function)
        return GatewayAuthorizer(invoke, domain.authorizer_cache_seconds)

    def _invoke_api(self, match: RouteMatch, event: dict[str, Any]) -> Any:
        return self.runtime.invoke(match.domain.name, match.domain.api_function, event)

    def _set_environment(self, environment: dict[str, str | None]) -> None:
        for key in environment:
            self._previous_environment.setdefault(key, os.environ.get(key))
        _apply(environment)

    def _restore_environment(self) -> None:
        if self._previous_environment:
            _apply(self._previous_environment)
            self._previous_environment = {}


def _apply(environment: dict[str, str | None]) -> None:
    """Set (or, for None, unset) these variables; clients, engines and settings made before now
    would still point at the old environment, so they are forgotten."""
    for key, value in environment.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    forget_container()


def _migration_summary(result: Any) -> str:
    if isinstance(result, dict) and "revision" in result:
        return f"migrated to revision {result['revision']}"
    return f"migrated: {summarise(result)}"

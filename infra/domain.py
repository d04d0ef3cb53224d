"""One domain of the platform in AWS, built from its declaration: its database (on the platform's
cluster) and other resources (each by its kind, `infra/resources`), a function with its own role and
log group for every declared function, its HTTP routes, schedules, event subscriptions (domain
events on the platform's bus, AWS services' on the default bus) and the trigger that migrates its
database on deploy."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import ArnFormat, Duration, Stack, triggers
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from fip_core.declaration import DomainDeclaration, EventSubscription, FunctionDeclaration, Schedule
from fip_core.resources import AwsEventSubscription
from fip_core.settings import METRICS_NAMESPACE, env_prefix
from infra.compliance import acknowledge
from infra.constants import (
    ASYNC_INVOKE_MAX_EVENT_AGE,
    ASYNC_INVOKE_RETRY_ATTEMPTS,
    DEAD_LETTER_RETENTION,
    EVENT_TARGET_MAX_AGE,
    EVENT_TARGET_RETRY_ATTEMPTS,
    LAMBDA_ARCHITECTURE,
    LAMBDA_FUNCTION_NAME_LIMIT,
    LAMBDA_RUNTIME,
    LOG_RETENTION,
    MIGRATION_STATEMENT_MARGIN_SECONDS,
    NAME_PREFIX,
)
from infra.database import DomainDatabase
from infra.http_api import PlatformHttpApi
from infra.network import Network
from infra.profiles import ConcurrencyPlan
from infra.resources import kind_of
from infra.resources.kind import BuiltResource, CloudContext, NotifyingResource

# What Lambda needs to attach a function to the VPC; EC2 offers no resource-level permissions for these.
_VPC_ACCESS_ACTIONS = [
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
]


def function_name(environment: str, domain: str, function: str) -> str:
    """The physical name of a domain's function that another stack refers to (another domain's call, the
    platform's authorizer): fixed before anything is deployed, so that the reference is a name and makes no
    dependency between the stacks, whichever way the domains call each other."""
    name = f"{NAME_PREFIX}-{environment}-{domain}-{function}"
    if len(name) > LAMBDA_FUNCTION_NAME_LIMIT:
        raise ValueError(f"the function name {name!r} is longer than Lambda's {LAMBDA_FUNCTION_NAME_LIMIT} characters")
    return name


def function_arn(scope: Construct, name: str) -> str:
    """The ARN of the function of this name in the account and region of `scope`'s stack."""
    return Stack.of(scope).format_arn(
        service="lambda", resource="function", resource_name=name, arn_format=ArnFormat.COLON_RESOURCE_NAME
    )


def schedule_expression(minutes: int, *, aligned: bool) -> events.Schedule:
    """Every `minutes`: a rate, or, aligned, a cron on the hour that every schedule of the same or a
    dividing interval shares, so that they wake a paused database together rather than each in turn."""
    if aligned and minutes % 60 == 0 and (24 * 60) % minutes == 0:
        hours = minutes // 60
        return events.Schedule.cron(minute="0", hour="*" if hours == 1 else f"0/{hours}")
    return events.Schedule.rate(Duration.minutes(minutes))


class DomainFunction(Construct):
    """One declared function with its own role, granted nothing but writing to its own log group and,
    given a network, attaching to the VPC (callers grant the rest), and its own log group."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        domain: str,
        declaration: FunctionDeclaration,
        code: lambda_.Code,
        layers: list[lambda_.ILayerVersion],
        network: Network | None,
        security_group: ec2.ISecurityGroup | None,
        environment: dict[str, str],
        reserved_concurrency: int | None = None,
        function_name: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.declaration = declaration
        # the name other stacks know it by, if they invoke it (`function_name`)
        self.fixed_name = function_name
        self.log_group = logs.LogGroup(self, "Logs", retention=LOG_RETENTION)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Runs the {domain} {declaration.name} function",
        )
        if network is not None:
            self.role.add_to_policy(iam.PolicyStatement(actions=_VPC_ACCESS_ACTIONS, resources=["*"]))
        self.log_group.grant_write(self.role)
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=function_name,
            description=declaration.description,
            runtime=LAMBDA_RUNTIME,
            architecture=LAMBDA_ARCHITECTURE,
            handler=declaration.handler,
            code=code,
            layers=layers,
            timeout=Duration.seconds(declaration.timeout_seconds),
            memory_size=declaration.memory_mb,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=self.log_group,
            role=self.role,
            vpc=network.vpc if network is not None else None,
            vpc_subnets=network.function_subnets if network is not None else None,
            security_groups=[security_group] if security_group is not None else None,
            # its timeout bounds the AWS calls it makes (fip_core.aws)
            environment={**environment, "FIP_FUNCTION_TIMEOUT_SECONDS": str(declaration.timeout_seconds)},
            # at most one database connection per execution: this caps the function's share of the cluster's
            reserved_concurrent_executions=reserved_concurrency,
        )
        vpc_actions = (
            "the EC2 network interface actions Lambda needs to attach the function to the VPC, and "
            if network is not None
            else ""
        )
        acknowledge(
            self.role,
            "IAM5[Resource::*]",
            f"Only for actions that support no resource-level permissions: {vpc_actions}"
            "X-Ray's PutTraceSegments and PutTelemetryRecords for active tracing.",
        )
        acknowledge(
            self.function,
            "L1",
            "The runtime is pinned to Python 3.12, the version the dependency layer's wheels are built for "
            "(infra/constants.py); it is raised together with them, deliberately.",
        )


class DomainService(Construct):
    """Everything one domain runs, as its declaration says."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        declaration: DomainDeclaration,
        code_directory: Path,
        layers: list[lambda_.ILayerVersion],
        network: Network,
        event_bus: events.IEventBus,
        api: PlatformHttpApi,
        environment: str,
        database: DomainDatabase,
        provisioned: triggers.Trigger,
        concurrency: ConcurrencyPlan,
        cloud: CloudContext,
        schedule_floor_minutes: int = 1,
        align_schedules: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        self.declaration = declaration
        self._schedule_floor_minutes = schedule_floor_minutes
        self._align_schedules = align_schedules
        domain = declaration.name
        # each resource by its kind, under the construct ids they had before kinds (their logical ids stay put)
        self.resources: dict[str, BuiltResource] = {
            spec.name: kind_of(spec).build(self, spec, cloud) for spec in declaration.resources
        }
        # the database and its clients' security group are the platform stack's (PlatformDatabases.add_domain)
        self.database = database
        self.security_group = database.client_security_group

        prefix = env_prefix(domain)
        function_environment = {
            f"{prefix}PUBLIC_API_URL": api.endpoint,
            # where people read the platform's pages: links in messages point there
            f"{prefix}WEB_ORIGIN": cloud.web_origins[0],
            "FIP_EVENT_BUS_NAME": event_bus.event_bus_name,
            "FIP_ENVIRONMENT": environment,
            # calls to registered services reach public HTTPS addresses only (fip_core.outbound)
            "FIP_ALLOW_PRIVATE_NETWORKS": "false",
            "FIP_REQUIRE_HTTPS": "true",
            "POWERTOOLS_SERVICE_NAME": domain,
            "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
        }
        for resource in self.resources.values():
            function_environment |= resource.environment
        code = lambda_.Code.from_asset(str(code_directory))
        self.functions: dict[str, DomainFunction] = {}
        for function in declaration.functions:
            built = DomainFunction(
                self,
                function.name,
                domain=domain,
                declaration=function,
                code=code,
                layers=layers,
                network=network,
                security_group=self.security_group,
                environment={
                    **function_environment,
                    **self._database_environment(prefix, function),
                },
                reserved_concurrency=concurrency.reserved[(domain, function.name)],
                # what another stack invokes goes by a name (another domain's calls, the platform's authorizer)
                function_name=(
                    function_name(environment, domain, function.name)
                    if function.callers or function.name == declaration.authorizer_function
                    else None
                ),
            )
            # only the migrations function logs in as the owner; every other one as the app role
            if function.name == declaration.migrations_function:
                self.database.grant_owner(built.role)
            else:
                self.database.grant_app(built.role)
            # migrations change the schema and the authorizer only decides: neither publishes events
            if function.publishes_events:
                event_bus.grant_put_events_to(built.role)
            self.functions[function.name] = built
        roles = {name: function.role for name, function in self.functions.items()}
        for granting in self.resources.values():
            granting.grant(roles)
        self._let_resources_notify(declaration)

        self._dead_letters: sqs.Queue | None = None
        for schedule in declaration.schedules:
            self._add_schedule(schedule)
        for subscription in declaration.subscriptions:
            self._add_subscription(subscription, event_bus)
        for aws_subscription in declaration.aws_subscriptions:
            self._add_aws_subscription(aws_subscription)
        for name in sorted(declaration.asynchronously_invoked_functions):
            self._send_failures_to_dead_letters(name)

        migrations = self.functions[declaration.migrations_function]
        self.migrations_trigger = triggers.Trigger(
            self,
            "MigrationsTrigger",
            handler=migrations.function,
            # the database and its roles exist first: the platform's provisioning step made them
            execute_after=[provisioned],
            execute_on_handler_change=True,
            invocation_type=triggers.InvocationType.REQUEST_RESPONSE,
            timeout=Duration.seconds(migrations.declaration.timeout_seconds),
        )

    def _let_resources_notify(self, declaration: DomainDeclaration) -> None:
        functions = {name: function.function for name, function in self.functions.items()}
        for spec in declaration.resources:
            if not spec.notified():
                continue
            built = self.resources[spec.name]
            if not isinstance(built, NotifyingResource):
                raise TypeError(f"{spec.kind} {spec.name!r} names functions to notify, but its kind cannot notify")
            built.notify(functions)

    def function(self, name: str) -> lambda_.Function:
        """The Lambda function of a declared function."""
        return self.functions[name].function

    def fixed_name(self, name: str) -> str:
        """The name other stacks invoke a declared function by: only a call's target and the authorizer have one."""
        fixed = self.functions[name].fixed_name
        if fixed is None:
            raise ValueError(f"{self.declaration.name}/{name} is invoked from another stack, but has no fixed name")
        return fixed

    def resource(self, name: str) -> BuiltResource:
        """A declared resource, as its kind built it."""
        return self.resources[name]

    @property
    def internal_functions(self) -> list[DomainFunction]:
        """The functions nothing invokes but an IAM principal (an operator, another domain's role): no route,
        authorizer, schedule, subscription or deploy trigger reaches them, and they have no resource policy."""
        invoked = self.declaration.invoked_functions
        return [built for name, built in self.functions.items() if name not in invoked]

    @property
    def dead_letters(self) -> sqs.IQueue | None:
        """The queue where the domain's schedules and subscriptions put what they could not deliver, and its
        functions the events they still failed on after Lambda's retries, if it has any."""
        return self._dead_letters

    def add_routes(self, api: PlatformHttpApi) -> None:
        """The domain's declared routes, served by its API function; made once the API's authorizer is set."""
        api.add_lambda_routes(self, self.function(self.declaration.api_function), self.declaration.routes)

    def _database_environment(self, prefix: str, function: FunctionDeclaration) -> dict[str, str]:
        # the same variable the code reads, naming the secret of the role this function logs in as
        if function.name != self.declaration.migrations_function:
            return {f"{prefix}DATABASE_SECRET_ARN": self.database.app_secret.secret_arn}
        return {
            f"{prefix}DATABASE_SECRET_ARN": self.database.owner_secret.secret_arn,
            f"{prefix}DATABASE_STATEMENT_TIMEOUT_SECONDS": str(
                function.timeout_seconds - MIGRATION_STATEMENT_MARGIN_SECONDS
            ),
        }

    def _dead_letter_queue(self) -> sqs.Queue:
        # made with the first rule, so that a domain without schedules or subscriptions has none
        if self._dead_letters is None:
            self._dead_letters = sqs.Queue(
                self,
                "DeadLetters",
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                retention_period=DEAD_LETTER_RETENTION,
            )
            acknowledge(
                self._dead_letters,
                "SQS3",
                "This queue is itself the dead-letter queue of the domain's EventBridge targets.",
            )
        return self._dead_letters

    def _target(self, function: str) -> targets.LambdaFunction:
        return targets.LambdaFunction(
            self.function(function),
            retry_attempts=EVENT_TARGET_RETRY_ATTEMPTS,
            max_event_age=EVENT_TARGET_MAX_AGE,
            dead_letter_queue=self._dead_letter_queue(),
        )

    def _send_failures_to_dead_letters(self, name: str) -> None:
        # EventBridge invokes asynchronously: Lambda retries a failed event, then sends it, with the error,
        # to this destination instead of dropping it
        self.function(name).configure_async_invoke(
            on_failure=destinations.SqsDestination(self._dead_letter_queue()),
            retry_attempts=ASYNC_INVOKE_RETRY_ATTEMPTS,
            max_event_age=ASYNC_INVOKE_MAX_EVENT_AGE,
        )

    def rate_minutes(self, schedule: Schedule) -> int:
        """How often a schedule runs in this deployment: its declared rate, unless the profile spaces it out."""
        return max(schedule.rate_minutes, self._schedule_floor_minutes)

    def _add_schedule(self, schedule: Schedule) -> None:
        # on the default bus, where EventBridge's scheduled rules live
        events.Rule(
            self,
            f"Schedule {schedule.name}",
            description=schedule.description,
            # the profile may space schedules out, so that a paused database stays paused longer
            schedule=schedule_expression(self.rate_minutes(schedule), aligned=self._align_schedules),
            targets=[self._target(schedule.function)],
        )

    def _add_subscription(self, subscription: EventSubscription, event_bus: events.IEventBus) -> None:
        events.Rule(
            self,
            f"Subscription {subscription.function} {' '.join(subscription.detail_types)}",
            description=f"{', '.join(subscription.detail_types)} to {subscription.function}",
            event_bus=event_bus,
            event_pattern=events.EventPattern(
                detail_type=list(subscription.detail_types),
                source=list(subscription.sources) or None,
            ),
            targets=[self._target(subscription.function)],
        )

    def _add_aws_subscription(self, subscription: AwsEventSubscription) -> None:
        # AWS services send their events to the account's default bus, where this rule listens
        pattern = subscription.pattern(self.resources[subscription.resource.name].event_name)
        events.Rule(
            self,
            f"AwsSubscription {subscription.function} {subscription.resource.name}",
            description=(
                f"{', '.join(subscription.detail_types)} of {subscription.resource.name} to {subscription.function}"
            ),
            event_pattern=events.EventPattern(
                source=pattern["source"], detail_type=pattern["detail-type"], detail=pattern["detail"]
            ),
            targets=[self._target(subscription.function)],
        )

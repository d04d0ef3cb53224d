"""The platform's stack: shared network, bus, API (with its one authorizer), layers, databases, mail, web
console, alarms, the operations dashboard and catch-all, and a nested stack per domain."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import Aspects, CfnOutput, NestedStack, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from fip_core.declaration import DomainDeclaration, FunctionDeclaration, cross_domain_problems
from fip_core.settings import METRICS_NAMESPACE
from infra.alarms import PlatformAlarms
from infra.bundling import PlatformAssets
from infra.dashboard import OperationsDashboard
from infra.database import PlatformDatabases
from infra.domain import DomainFunction, DomainService, function_arn
from infra.event_bus import PlatformEventBus
from infra.http_api import PlatformHttpApi
from infra.layers import SharedLayers
from infra.mail import PlatformMail
from infra.network import Network
from infra.profiles import DEFAULT_RESERVED_CONCURRENCY, PROFILES, DeploymentProfile, concurrency_plan
from infra.resources.kind import CloudContext
from infra.tracing import NoResponsesInTraces
from infra.web import PlatformWeb

PLATFORM = "platform"  # what belongs to no domain
CATCH_ALL_FUNCTION = FunctionDeclaration(
    name="catch-all",
    handler="fip_core.catch_all.handler",
    description="The HTTP API's $default route: 404 or 405 as problem JSON for what no declared route takes",
    timeout_seconds=5,
    memory_mb=256,
)


class PlatformStack(Stack):
    """The Federated Imputation Platform: every declared domain on a shared VPC, bus and HTTP API."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        domains: Sequence[DomainDeclaration],
        assets: PlatformAssets,
        environment: str,
        alarm_email: str | None = None,
        profile: DeploymentProfile = PROFILES["standard"],
        cluster_per_domain: bool = False,
        reserved_concurrency_limit: int = DEFAULT_RESERVED_CONCURRENCY,
        mail_from: str | None = None,
        mail_verified: bool = False,
        web_origins: Sequence[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        if problems := cross_domain_problems(domains):
            raise ValueError("the domains' calls to each other do not agree: " + "; ".join(problems))
        self.profile = profile
        self.network = Network(self, "Network", nat=profile.nat)
        self.mail = PlatformMail(self, "Mail", sender=mail_from, verified=mail_verified) if mail_from else None
        self.event_bus = PlatformEventBus(self, "Events")
        self.api = PlatformHttpApi(self, "Api", environment=environment)
        self.web = PlatformWeb(self, "Web", api_endpoint=self.api.endpoint, domains=domains, console=assets.web_console)
        # browsers upload to the buckets' presigned URLs from the console's origin, or from the origins named
        web_origins = tuple(web_origins) or (self.web.origin,)
        self.layers = SharedLayers(self, "Layers", assets=assets)
        self.concurrency = concurrency_plan(profile, domains, cluster_per_domain, reserved_concurrency_limit)
        self.databases = PlatformDatabases(
            self,
            "Databases",
            environment=environment,
            network=self.network,
            profile=profile,
            cluster_per_domain=cluster_per_domain,
            make_function=lambda scope, declaration, code, security_group: self._platform_function(
                scope, declaration, code, security_group, environment
            ),
        )
        # each domain in a nested stack of its own, so that no stack nears CloudFormation's 500 resources as
        # domains are added; it refers to the shared things here (network, bus, API, layers, its database),
        # and nothing of it refers to another domain's stack (calls go by name: `infra.domain.function_name`)
        self.domains: dict[str, DomainService] = {}
        for declaration in domains:
            database = self.databases.add_domain(
                declaration.name,
                reaches_internet=any(function.reaches_internet for function in declaration.functions),
                app_connection_limit=self.concurrency.app_connections(declaration),
            )
            domain_stack = NestedStack(
                self,
                f"{declaration.name.capitalize()}Domain",
                description=f"Federated Imputation Platform ({environment}): the {declaration.name} domain",
            )
            self.domains[declaration.name] = DomainService(
                domain_stack,
                declaration.name,
                declaration=declaration,
                code_directory=assets.domain_code[declaration.name],
                layers=self.layers.all,
                network=self.network,
                event_bus=self.event_bus.bus,
                api=self.api,
                environment=environment,
                database=database,
                provisioned=self.databases.provisioned,
                concurrency=self.concurrency,
                cloud=CloudContext(declaration.name, environment, self.mail, tuple(web_origins)),
                schedule_floor_minutes=profile.schedule_floor_minutes,
                align_schedules=profile.align_schedules,
            )
        self._let_domains_call_each_other()
        # the authorizer first: every domain's routes that are not public use it
        self._use_the_authorizer()
        for service in self.domains.values():
            service.add_routes(self.api)
        # `$default` has no authorizer, so it reaches no domain: a function of its own, outside the VPC, that
        # answers 404 or 405 and nothing else
        self.catch_all = DomainFunction(
            self,
            "CatchAll",
            domain=PLATFORM,
            declaration=CATCH_ALL_FUNCTION,
            code=lambda_.Code.from_asset(str(assets.catch_all_code)),
            layers=self.layers.all,
            network=None,
            security_group=None,
            environment={"POWERTOOLS_SERVICE_NAME": PLATFORM, "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE},
        )
        self.api.add_default_route(self, self.catch_all.function)
        clusters = {identifier: built.cluster for identifier, built in self.databases.clusters.items()}
        self.alarms = PlatformAlarms(
            self,
            "Alarms",
            domains=self.domains.values(),
            platform_functions=[self.catch_all],
            http_api=self.api.http_api,
            clusters=clusters,
            max_capacity=profile.database_max_capacity,
            email=alarm_email,
        )
        self.dashboard = OperationsDashboard(
            self,
            "Operations",
            environment=environment,
            domains=self.domains.values(),
            platform_functions=[self.catch_all],
            http_api=self.api.http_api,
            clusters=clusters,
            max_capacity=profile.database_max_capacity,
            alarms=self.alarms.alarms,
        )
        CfnOutput(self, "ApiUrl", value=self.api.endpoint, description="Base URL of the platform's HTTP API")
        CfnOutput(
            self, "AlarmTopicArn", value=self.alarms.topic.topic_arn, description="Subscribe to hear of every alarm"
        )
        self._output_internal_functions()
        Aspects.of(self).add(NoResponsesInTraces())

    def _platform_function(
        self,
        scope: Construct,
        declaration: FunctionDeclaration,
        code: lambda_.Code,
        security_group: ec2.ISecurityGroup,
        environment: str,
    ) -> lambda_.Function:
        # a function of no domain (the database provisioning step), built like every domain's
        built = DomainFunction(
            scope,
            declaration.name,
            domain=PLATFORM,
            declaration=declaration,
            code=code,
            layers=self.layers.all,
            network=self.network,
            security_group=security_group,
            environment={
                "FIP_ENVIRONMENT": environment,
                "POWERTOOLS_SERVICE_NAME": PLATFORM,
                "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
            },
        )
        return built.function

    def _use_the_authorizer(self) -> None:
        declared = {
            name: (service, authorizer)
            for name, service in self.domains.items()
            if (authorizer := service.declaration.authorizer_function) is not None
        }
        if len(declared) > 1:
            raise ValueError(f"the platform has one authorizer, but {sorted(declared)} each declare one")
        for service, authorizer in declared.values():
            # by the name the function is given, not by reference: its stack refers to the authorizer
            self.api.use_authorizer(
                function_arn(self, service.fixed_name(authorizer)), service.declaration.authorizer_cache_seconds
            )
            self.api.let_the_authorizer_invoke(service.function(authorizer))

    def _let_domains_call_each_other(self) -> None:
        # exactly the declared calls: the caller's role may invoke the target (no other role may, and no
        # resource policy lets anything else in), and the caller is told the target's name
        for caller in self.domains.values():
            for call in caller.declaration.calls:
                # by the target's name, fixed before deployment: a reference would make the caller's stack
                # depend on the target's, and calls both ways (or round a ring) would make a cycle
                target = self.domains[call.domain].fixed_name(call.target)
                function = caller.functions[call.function]
                iam.Grant.add_to_principal(
                    grantee=function.role,
                    actions=["lambda:InvokeFunction"],
                    resource_arns=[function_arn(function, target)],
                )
                function.function.add_environment(call.variable(caller.declaration.name), target)

    def _output_internal_functions(self) -> None:
        # what an operator invokes with `aws lambda invoke --function-name <output>`
        for service in self.domains.values():
            for built in service.internal_functions:
                name = "".join(part.capitalize() for part in built.declaration.name.split("-"))
                CfnOutput(
                    self,
                    f"{name}FunctionName",
                    value=built.function.function_name,
                    description=built.declaration.description,
                )

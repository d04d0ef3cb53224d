"""The platform's one HTTP API, to which every domain adds its declared routes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import cast

import jsii
from aws_cdk import Duration, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from fip_core.access import Access
from fip_core.declaration import HttpRoute, Throttle
from infra.compliance import acknowledge
from infra.constants import (
    API_THROTTLE_BURST_LIMIT,
    API_THROTTLE_RATE_LIMIT,
    AUTHORIZER_IDENTITY_SOURCE,
    AUTHORIZER_NAME,
    LOG_RETENTION,
    NAME_PREFIX,
)

# HTTP API context variables (not the REST API's, which an HTTP API rejects)
_ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "userAgent": "$context.identity.userAgent",
    "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod",
    "routeKey": "$context.routeKey",
    "path": "$context.path",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency",
    "integrationStatus": "$context.integrationStatus",
    "integrationLatency": "$context.integrationLatency",
    "integrationError": "$context.integrationErrorMessage",
}

PUBLIC_ROUTE = (
    "A public route (sign-up, confirmation, sign-in, token refresh, password reset): it must work without a token, "
    "since it is how a caller gets one. Every other route goes through the platform's Lambda authorizer."
)
DEFAULT_ROUTE = (
    "The $default route takes only requests that match no declared route, and reaches only the platform's "
    "catch-all function: outside the VPC, with no database, no domain code and no permission beyond its own logs "
    "and traces, it answers a problem-JSON 404 (or 405 naming the declared methods) and does nothing else. "
    "There is nothing behind it to authorize."
)


@jsii.implements(apigwv2.IAccessLogSettings)
class _JsonAccessLogs:
    """Access logs as one JSON object a line, into a log group."""

    def __init__(self, log_group: logs.ILogGroup) -> None:
        self._log_group = log_group

    @property
    def destination(self) -> apigwv2.IAccessLogDestination:
        return apigwv2.LogGroupLogDestination(self._log_group)

    @property
    def format(self) -> apigateway.AccessLogFormat:
        return apigateway.AccessLogFormat.custom(json.dumps(_ACCESS_LOG_FIELDS, separators=(",", ":")))


@jsii.implements(apigwv2.IHttpRouteAuthorizer)
class _RouteAuthorizer:
    """A route's use of the API's Lambda authorizer, which exists already (made once, in the platform's
    stack, rather than in the stack of the first route that binds it)."""

    def __init__(self, authorizer: apigwv2.IHttpAuthorizer) -> None:
        self._authorizer = authorizer

    def bind(self, *, route: apigwv2.IHttpRoute, scope: Construct) -> apigwv2.HttpRouteAuthorizerConfig:
        """The authorizer, as a custom one, whichever route and scope."""
        return apigwv2.HttpRouteAuthorizerConfig(
            authorizer_id=self._authorizer.authorizer_id, authorization_type="CUSTOM"
        )


class PlatformHttpApi(Construct):
    """The HTTP API with its `$default` stage: access logs in JSON and throttling for every route."""

    def __init__(self, scope: Construct, construct_id: str, *, environment: str) -> None:
        super().__init__(scope, construct_id)
        self.http_api = apigwv2.HttpApi(
            self,
            "HttpApi",
            api_name=f"{NAME_PREFIX}-{environment}",
            description="Federated Imputation Platform API",
            # made below, because the default stage takes no access log settings
            create_default_stage=False,
        )
        self.access_logs = logs.LogGroup(self, "AccessLogs", retention=LOG_RETENTION)
        self.stage = apigwv2.HttpStage(
            self,
            "DefaultStage",
            http_api=self.http_api,
            stage_name="$default",
            auto_deploy=True,
            access_log_settings=_JsonAccessLogs(self.access_logs),
            throttle=apigwv2.ThrottleSettings(rate_limit=API_THROTTLE_RATE_LIMIT, burst_limit=API_THROTTLE_BURST_LIMIT),
        )
        self.authorizer: apigwv2.HttpAuthorizer | None = None
        self._route_settings: dict[str, dict[str, float]] = {}

    @property
    def endpoint(self) -> str:
        """The API's base URL, without a trailing slash (a token until deployment)."""
        return self.http_api.api_endpoint

    def use_authorizer(self, function_arn: str, cache_seconds: int) -> apigwv2.HttpAuthorizer:
        """The platform's one Lambda authorizer, for every route that is not public: simple responses (which
        need payload format 2.0), its decision cached per `Authorization` header. It names its function by ARN:
        the function is a domain's, in that domain's stack, whose routes in turn refer to this authorizer, so a
        reference to the function itself would make the two stacks depend on each other."""
        if self.authorizer is not None:
            raise ValueError("the HTTP API has one Lambda authorizer, and it is set already")
        stack = Stack.of(self)
        self.authorizer = apigwv2.HttpAuthorizer(
            self,
            "Authorizer",
            http_api=self.http_api,
            type=apigwv2.HttpAuthorizerType.LAMBDA,
            authorizer_name=AUTHORIZER_NAME,
            authorizer_uri=(
                f"arn:{stack.partition}:apigateway:{stack.region}:lambda:path/2015-03-31/functions/"
                f"{function_arn}/invocations"
            ),
            enable_simple_responses=True,
            payload_format_version=apigwv2.AuthorizerPayloadVersion.VERSION_2_0,
            identity_source=[AUTHORIZER_IDENTITY_SOURCE],
            results_cache_ttl=Duration.seconds(cache_seconds),
        )
        return self.authorizer

    def let_the_authorizer_invoke(self, function: lambda_.IFunction) -> None:
        """API Gateway's permission to invoke the authorizer's function as this authorizer alone, in the
        function's stack."""
        if self.authorizer is None:
            raise ValueError("no authorizer is set")
        function.add_permission(
            "AuthorizerPermission",
            principal=iam.ServicePrincipal("apigateway.amazonaws.com"),
            source_arn=Stack.of(function).format_arn(
                service="execute-api",
                resource=self.http_api.api_id,
                resource_name=f"authorizers/{self.authorizer.authorizer_id}",
            ),
        )

    def add_lambda_routes(self, scope: Construct, function: lambda_.IFunction, routes: Sequence[HttpRoute]) -> None:
        """Routes served by one function (payload format 2.0), created in the scope of the domain that serves them;
        every route that is not public goes through the authorizer, which must be set first."""
        integration = integrations.HttpLambdaIntegration(
            f"{scope.node.path}-integration",
            function,
            payload_format_version=apigwv2.PayloadFormatVersion.VERSION_2_0,
            # One invoke permission for the whole API, `<api>/*/*/*`, rather than one per route, which would
            # outgrow the function's resource policy as routes are added.
            scope_permission_to_route=False,
        )
        for route in routes:
            built = self._add_route(
                scope,
                f"Route {route.route_key}",
                apigwv2.HttpRouteKey.with_(route.path, apigwv2.HttpMethod[route.method]),
                integration,
                None if route.access is Access.PUBLIC else self._authorizer_for(route),
            )
            if route.access is Access.PUBLIC:
                acknowledge(built, "APIG4", PUBLIC_ROUTE)
            if route.throttle is not None:
                self._throttle(route.route_key, route.throttle, built)

    def _throttle(self, route_key: str, throttle: Throttle, route: apigwv2.HttpRoute) -> None:
        """A route's own, lower limit, as the stage's route settings; the stage then waits for the route, since
        CloudFormation refuses settings of a route that does not exist yet."""
        if throttle.rate_per_second > API_THROTTLE_RATE_LIMIT or throttle.burst > API_THROTTLE_BURST_LIMIT:
            raise ValueError(f"{route_key}'s own throttle must be below the API's, not above it")
        self._route_settings[route_key] = {
            "ThrottlingRateLimit": throttle.rate_per_second,
            "ThrottlingBurstLimit": throttle.burst,
        }
        stage = cast(apigwv2.CfnStage, self.stage.node.default_child)  # the L2 stage is made of one
        stage.route_settings = dict(self._route_settings)
        self.stage.node.add_dependency(route)

    def add_default_route(self, scope: Construct, function: lambda_.IFunction) -> apigwv2.HttpRoute:
        """The `$default` route: requests no declared route matches, for the platform's catch-all function."""
        # An integration of its own, whose permission is scoped to this route: the API-wide `<api>/*/*/*`
        # does not match the `<api>/$default/$default` this route is invoked as.
        integration = integrations.HttpLambdaIntegration(
            "default-route-integration", function, payload_format_version=apigwv2.PayloadFormatVersion.VERSION_2_0
        )
        route = self._add_route(scope, "DefaultRoute", apigwv2.HttpRouteKey.DEFAULT, integration, None)
        acknowledge(route, "APIG4", DEFAULT_ROUTE)
        return route

    def _authorizer_for(self, route: HttpRoute) -> apigwv2.IHttpRouteAuthorizer:
        if self.authorizer is None:
            raise ValueError(
                f"{route.route_key} is {route.access.value}, not public, but no domain declares the authorizer"
            )
        return _RouteAuthorizer(self.authorizer)

    def _add_route(
        self,
        scope: Construct,
        construct_id: str,
        route_key: apigwv2.HttpRouteKey,
        integration: apigwv2.HttpRouteIntegration,
        authorizer: apigwv2.IHttpRouteAuthorizer | None,
    ) -> apigwv2.HttpRoute:
        return apigwv2.HttpRoute(
            scope,
            construct_id,
            http_api=self.http_api,
            route_key=route_key,
            integration=integration,
            authorizer=authorizer,
        )

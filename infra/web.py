"""The web console in the cloud: its built files (`web/dist`, `make web`) in a private S3 bucket that
only CloudFront reads (origin access control), and one CloudFront distribution, HTTPS only, that
serves them and passes the platform's API through on the same origin, so the console calls the API
without CORS. Every answer carries the console's security headers and content security policy
(`infra/web_policy.py`, the same the local platform sends).

Behaviours: the API's paths, one per first path segment of the declared routes (`/files*`), go to the
HTTP API uncached with every viewer header but Host (so `Authorization` reaches the authorizer); the
rest, the console's files, come from the bucket. Hash routes (`#/files`) keep every page at `/`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import cast

from aws_cdk import Annotations, Aws, CfnOutput, DefaultStackSynthesizer, Duration, Fn, RemovalPolicy, Stack, Token
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as deployment
from constructs import Construct

from fip_core.declaration import DomainDeclaration
from infra.bucket import PRIVATE_BUCKET, access_logs
from infra.compliance import acknowledge
from infra.web_policy import (
    IMMUTABLE_CACHE,
    INDEX,
    REVALIDATE_CACHE,
    STRICT_TRANSPORT_SECONDS,
    content_security_policy,
    security_headers,
)

# the policy's headers CloudFront sets from its typed security settings; it refuses them as custom headers
CLOUDFRONT_SECURITY_HEADERS = frozenset(
    {
        "Content-Security-Policy",
        "Strict-Transport-Security",
        "X-Content-Type-Options",
        "X-Frame-Options",
        "Referrer-Policy",
    }
)
# what the console's uploads PUT to: the presigned part URLs of the stack's region's S3 (virtual-hosted,
# as boto3 signs them: `<bucket>.s3.<region>.amazonaws.com`, and `<bucket>.s3.amazonaws.com` in us-east-1)
UPLOAD_ORIGINS = (f"https://*.s3.{Aws.REGION}.amazonaws.com", "https://*.s3.amazonaws.com")


def api_path_patterns(domains: Sequence[DomainDeclaration]) -> list[str]:
    """CloudFront path patterns that send every declared route to the API: one per first path segment."""
    segments = sorted({route.path.split("/")[1] for domain in domains for route in domain.routes})
    return [f"/{segment}*" for segment in segments]


class PlatformWeb(Construct):
    """The console's bucket and the distribution in front of it and of the HTTP API."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        api_endpoint: str,
        domains: Sequence[DomainDeclaration],
        console: Path | None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            **PRIVATE_BUCKET,
            versioned=False,
            server_access_logs_bucket=access_logs(Stack.of(self)),
            server_access_logs_prefix="web/",
            removal_policy=RemovalPolicy.DESTROY,  # only build output: `make deploy` writes it again
        )
        self.headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment="The web console's security headers and content security policy (infra/web_policy.py)",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(UPLOAD_ORIGINS), override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.seconds(STRICT_TRANSPORT_SECONDS),
                    include_subdomains=True,
                    override=True,
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True
                ),
            ),
            # the rest of the policy's headers as they are, so one added there reaches CloudFront too
            custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(
                custom_headers=[
                    cloudfront.ResponseCustomHeader(header=name, value=value, override=True)
                    for name, value in security_headers(UPLOAD_ORIGINS)
                    if name not in CLOUDFRONT_SECURITY_HEADERS
                ]
            ),
        )
        # the API's host, from its endpoint `https://<id>.execute-api.<region>.amazonaws.com`
        api_origin = origins.HttpOrigin(
            Fn.select(2, Fn.split("/", api_endpoint)),
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
        )
        api_behaviour = cloudfront.BehaviorOptions(
            origin=api_origin,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            # every viewer header but Host (API Gateway answers 403 to its own host being another's);
            # with caching disabled that includes Authorization
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            response_headers_policy=self.headers,
            compress=True,
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Federated Imputation Platform: the web console and its API on one origin",
            default_root_object=INDEX,
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self.headers,
                compress=True,
            ),
            additional_behaviors=dict.fromkeys(api_path_patterns(domains), api_behaviour),
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
        )
        self.origin = f"https://{self.distribution.distribution_domain_name}"
        self._deploy(console)
        self._acknowledge()
        CfnOutput(self, "ConsoleUrl", value=self.origin, description="The web console, and the API on the same origin")

    def _deploy(self, console: Path | None) -> None:
        if console is None or not (console / INDEX).is_file():
            Annotations.of(self).add_warning(
                "the web console is not built (web/dist): `make synth` and `make deploy` build it; the "
                "distribution serves an empty bucket until then"
            )
            return
        # hashed files first, kept for a year; then index.html, asked again each time, naming them
        assets = deployment.BucketDeployment(
            self,
            "Assets",
            sources=[deployment.Source.asset(str(console), exclude=[INDEX])],
            destination_bucket=self.bucket,
            cache_control=[deployment.CacheControl.from_string(IMMUTABLE_CACHE)],
            prune=False,  # a browser holding the previous index.html still finds its files
            memory_limit=256,
        )
        index = deployment.BucketDeployment(
            self,
            "Index",
            sources=[deployment.Source.asset(str(console), exclude=["*", f"!{INDEX}"])],
            destination_bucket=self.bucket,
            cache_control=[deployment.CacheControl.from_string(REVALIDATE_CACHE)],
            prune=False,
            distribution=self.distribution,
            distribution_paths=["/", f"/{INDEX}"],
            memory_limit=256,
        )
        index.node.add_dependency(assets)
        self._acknowledge_deployment_function()

    def _acknowledge_deployment_function(self) -> None:
        # the CDK's one function (per memory size) that copies assets into buckets, made in the stack's scope
        stack = Stack.of(self)
        bucket = stack.resolve(cast(s3.CfnBucket, self.bucket.node.default_child).logical_id)
        # the CDK's asset bucket, as cdk-nag names it: with the account and region where the CLI resolved them
        qualifier = DefaultStackSynthesizer.DEFAULT_QUALIFIER
        account = "<AWS::AccountId>" if Token.is_unresolved(stack.account) else stack.account
        region = "<AWS::Region>" if Token.is_unresolved(stack.region) else stack.region
        for child in stack.node.children:
            if not child.node.id.startswith("Custom::CDKBucketDeployment"):
                continue
            acknowledge(
                child,
                "L1",
                "The CDK's own asset-copying function: its runtime is the CDK's choice and "
                "moves with the CDK's version; it runs only while deploying.",
            )
            acknowledge(
                child,
                "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
                "The CDK's asset-copying function writes its own logs, as that managed policy allows.",
            )
            for finding in (
                "Action::s3:GetBucket*",
                "Action::s3:GetObject*",
                "Action::s3:List*",
                "Action::s3:Abort*",
                "Action::s3:DeleteObject*",
                f"Resource::<{bucket}.Arn>/*",
                f"Resource::arn:<AWS::Partition>:s3:::cdk-{qualifier}-assets-{account}-{region}/*",
            ):
                acknowledge(
                    child,
                    f"IAM5[{finding}]",
                    "The CDK's grants to copy the console's build from the CDK's "
                    "asset bucket into the console's bucket (read the one, write the other) and nothing else.",
                )
            acknowledge(
                child,
                "IAM5[Resource::*]",
                "cloudfront:CreateInvalidation and GetInvalidation accept no "
                "resource narrower than *; the function invalidates index.html after each deploy.",
            )

    def _acknowledge(self) -> None:
        acknowledge(
            self.distribution,
            "CFR1",
            "Researchers use the platform from every country; the API's authorizer and throttles guard it.",
        )
        acknowledge(
            self.distribution,
            "CFR2",
            "No WAF: its web ACL costs more a month than the small profile's whole idle budget; API Gateway "
            "throttles every route (auth routes harder) and the authorizer guards all but sign-up and sign-in.",
        )
        acknowledge(
            self.distribution,
            "CFR3",
            "The API's requests are logged by API Gateway's access logs; the console's static files are public "
            "build output whose access logs would need a log bucket with ACLs, which the stack keeps off.",
        )
        acknowledge(
            self.distribution,
            "CFR4",
            "The default *.cloudfront.net certificate: viewers are held to HTTPS only, and TLS 1.2 or newer "
            "once a custom domain with its own certificate is configured.",
        )

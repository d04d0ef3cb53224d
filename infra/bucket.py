"""A domain's S3 bucket (`BucketSpec`, built by `infra.resources.bucket`): encrypted, public access
blocked, TLS only, unversioned, objects expiring with the spec's retention and abandoned multipart
uploads cleared, CORS for browsers on the platform's web origin, every change sent to EventBridge,
and its server access logs kept in one log bucket of the stack."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from aws_cdk import Annotations, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from fip_core.resources import BucketSpec, variable_stem
from fip_core.settings import env_prefix
from infra.compliance import acknowledge
from infra.constants import ACCESS_LOG_RETENTION, BUCKET_MINIMUM_TLS_VERSION, WEB_ORIGIN_CONTEXT_KEY
from infra.resources.bucket import (
    CORS_ALLOWED_HEADERS,
    CORS_EXPOSED_HEADERS,
    CORS_MAX_AGE_SECONDS,
    CORS_METHODS,
    LIFECYCLE_RULE_ID,
    OBJECT_ACTIONS,
)

ACCESS_LOGS_ID = "BucketAccessLogs"
# what every bucket of the platform is: S3-managed encryption, no public access, no ACLs, TLS 1.2+ only
PRIVATE_BUCKET: dict[str, Any] = {
    "encryption": s3.BucketEncryption.S3_MANAGED,
    "block_public_access": s3.BlockPublicAccess.BLOCK_ALL,
    "object_ownership": s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    "enforce_ssl": True,
    "minimum_tls_version": BUCKET_MINIMUM_TLS_VERSION,
}


class DomainBucket(Construct):
    """One bucket as its spec says; `grant` gives each function its uses on the bucket's objects alone."""

    def __init__(
        self, scope: Construct, construct_id: str, *, domain: str, spec: BucketSpec, web_origins: Sequence[str]
    ) -> None:
        super().__init__(scope, construct_id)
        self.domain = domain
        self.spec = spec
        cors = (
            [
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods(method) for method in CORS_METHODS],
                    allowed_origins=list(web_origins),
                    allowed_headers=list(CORS_ALLOWED_HEADERS),
                    exposed_headers=list(CORS_EXPOSED_HEADERS),
                    max_age=CORS_MAX_AGE_SECONDS,
                )
            ]
            if web_origins
            else None
        )
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            **PRIVATE_BUCKET,
            versioned=False,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id=LIFECYCLE_RULE_ID,
                    expiration=Duration.days(spec.retention_days),
                    abort_incomplete_multipart_upload_after=Duration.days(spec.abandoned_upload_days),
                )
            ],
            cors=cors,
            server_access_logs_bucket=access_logs(Stack.of(self)),
            server_access_logs_prefix=f"{domain}/{spec.name}/",
            removal_policy=RemovalPolicy.RETAIN,
        )
        # every change to EventBridge's default bus, set on the bucket itself: the CDK's `event_bridge_enabled`
        # would set it through a custom resource, a function with a managed policy run on each deploy
        self._cfn_bucket = cast(s3.CfnBucket, self.bucket.node.default_child)
        self._cfn_bucket.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
            event_bridge_configuration=s3.CfnBucket.EventBridgeConfigurationProperty(event_bridge_enabled=True)
        )
        if not web_origins:
            Annotations.of(self.bucket).add_warning(
                f"browsers cannot upload to or download from the {domain} {spec.name} bucket's presigned URLs until "
                f"-c {WEB_ORIGIN_CONTEXT_KEY}=https://your.web.origin names the platform's web pages' origin (CORS)"
            )

    @property
    def environment(self) -> Mapping[str, str]:
        """`<DOMAIN>_<NAME>_BUCKET`: the bucket's name."""
        return {f"{env_prefix(self.domain)}{variable_stem(self.spec.name)}_BUCKET": self.bucket.bucket_name}

    @property
    def event_name(self) -> str:
        """S3's events name the bucket by its name."""
        return self.bucket.bucket_name

    def grant(self, roles: Mapping[str, iam.IGrantable]) -> None:
        """Each function's uses, on this bucket's objects only."""
        for function, uses in self.spec.access().items():
            actions = sorted({action for use in uses for action in OBJECT_ACTIONS[use]})
            iam.Grant.add_to_principal(
                grantee=roles[function], actions=actions, resource_arns=[self.bucket.arn_for_objects("*")]
            )
            acknowledge(
                roles[function],  # type: ignore[arg-type]  # a role, which is a construct
                f"IAM5[Resource::<{self.logical_id}.Arn>/*]",
                f"The objects of the {self.domain} {self.spec.name} bucket alone, whose keys are made at run time.",
            )

    @property
    def logical_id(self) -> str:
        """The bucket's logical id, as cdk-nag names it in findings."""
        return str(Stack.of(self).resolve(self._cfn_bucket.logical_id))


def access_logs(stack: Stack) -> s3.Bucket:
    """The platform's one bucket for the other buckets' server access logs, made with the first of them in
    the top-level stack, whichever (nested) stack the logging bucket is in."""
    while stack.nested_stack_parent is not None:
        stack = stack.nested_stack_parent
    found = stack.node.try_find_child(ACCESS_LOGS_ID)
    if isinstance(found, s3.Bucket):
        return found
    bucket = s3.Bucket(
        stack,
        ACCESS_LOGS_ID,
        **PRIVATE_BUCKET,  # S3-managed keys: the only encryption S3 can deliver access logs into
        lifecycle_rules=[s3.LifecycleRule(id=LIFECYCLE_RULE_ID, expiration=ACCESS_LOG_RETENTION)],
        removal_policy=RemovalPolicy.RETAIN,
    )
    acknowledge(
        bucket,
        "S1",
        "This bucket receives the server access logs of the platform's other buckets; logging its own "
        "access into itself would log without end.",
    )
    return bucket

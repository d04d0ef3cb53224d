"""The bucket kind: a `BucketSpec` as an S3 bucket, in the CDK app (`infra/bucket.py`) and locally
(`fip-<domain>-<name>`, made unless it exists: moto's state file or a long-lived emulator keeps it).

What both sides share is here: which actions each use allows, and the CORS rule for browsers on the
platform's origin (`-c web_origin` in the cloud, the local gateway's address locally).

Locally, the bucket has the same encryption, public access block, lifecycle rules, CORS rule (both
emulators apply it to browsers' preflight requests) and EventBridge notifications; what differs: no
TLS-only policy (the emulators serve plain HTTP on loopback), no access logs, and neither emulator
expires objects by the lifecycle rules or enforces IAM. S3's events reach the default bus on both:
LocalStack sends them nearly as S3 does; moto 5.2.5 gets their ids, fields and the one event per
completed multipart upload right only with `local_platform/moto_gaps.py`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from fip_core.resources import BucketSpec, variable_stem
from fip_core.settings import env_prefix
from infra.resources.kind import BuiltResource, CloudContext, LocalContext, Provisioned, construct_id

if TYPE_CHECKING:
    from constructs import Construct

# What each use of the spec allows on the bucket's objects. s3:PutObject covers starting, uploading the
# parts of and completing a multipart upload; presigned URLs act with the signing function's permissions.
OBJECT_ACTIONS: Mapping[str, tuple[str, ...]] = {
    "read": ("s3:GetObject",),
    "write": ("s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"),
    "presign": ("s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"),
}
# What a browser sends with a presigned PUT or GET; it must read each part's ETag to complete a multipart upload.
CORS_METHODS = ("PUT", "GET", "HEAD")
CORS_ALLOWED_HEADERS = ("content-type", "content-md5", "x-amz-*")
CORS_EXPOSED_HEADERS = ("ETag",)
CORS_MAX_AGE_SECONDS = 3600  # how long a browser may reuse a preflight answer
LIFECYCLE_RULE_ID = "retention"


class BucketKind:
    """Builds and provisions `BucketSpec`s."""

    spec_type = BucketSpec

    def build(self, scope: Construct, spec: BucketSpec, cloud: CloudContext) -> BuiltResource:
        """The bucket, its access logged into the stack's log bucket."""
        from infra.bucket import DomainBucket  # the CDK only when building (see infra/resources/kind.py)

        return DomainBucket(
            scope, construct_id(spec, "Bucket"), domain=cloud.domain, spec=spec, web_origins=cloud.web_origins
        )

    def provision(self, spec: BucketSpec, local: LocalContext) -> Provisioned:
        """The bucket with its settings, made or set again."""
        s3 = local.client("s3")
        name = f"fip-{local.domain}-{spec.name}"
        # one kept from an earlier run has its settings set again below
        with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": local.region})
        s3.put_public_access_block(
            Bucket=name,
            PublicAccessBlockConfiguration=dict.fromkeys(
                ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
            ),
        )
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
        )
        s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": [lifecycle_rule(spec)]})
        if local.web_origins:
            s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": [cors_rule(local.web_origins)]})
        s3.put_bucket_notification_configuration(
            Bucket=name, NotificationConfiguration={"EventBridgeConfiguration": {}}
        )
        variable = f"{env_prefix(local.domain)}{variable_stem(spec.name)}_BUCKET"
        return Provisioned(
            environment={variable: name},
            event_name=name,
            description=f"bucket {name} (objects kept {spec.retention_days} days, events to the default bus)",
        )


def lifecycle_rule(spec: BucketSpec) -> dict[str, Any]:
    """The retention and abandoned-upload rule, as S3's API takes it."""
    return {
        "ID": LIFECYCLE_RULE_ID,
        "Status": "Enabled",
        "Filter": {"Prefix": ""},
        "Expiration": {"Days": spec.retention_days},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": spec.abandoned_upload_days},
    }


def cors_rule(origins: Sequence[str]) -> dict[str, Any]:
    """The CORS rule for browsers on these origins, as S3's API takes it."""
    return {
        "AllowedOrigins": list(origins),
        "AllowedMethods": list(CORS_METHODS),
        "AllowedHeaders": list(CORS_ALLOWED_HEADERS),
        "ExposeHeaders": list(CORS_EXPOSED_HEADERS),
        "MaxAgeSeconds": CORS_MAX_AGE_SECONDS,
    }

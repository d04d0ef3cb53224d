"""The AWS resources a domain declares besides its database, functions and the event bus, as plain data.

A spec says what a domain needs (a bucket kept 7 days, a key that one function encrypts with and
another decrypts with) and which of its functions may do what with it; it names the environment
variables its functions read. How a spec becomes AWS resources, IAM grants and those variables, in
the CDK app and in the local platform, is the business of its kind (`infra/resources/`), one object
per spec type. These classes are in the shared layer because the declarations, which the functions
import, name them: nothing here imports the CDK or boto3.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

_NAME = re.compile(r"^[a-z][a-z0-9-]{1,30}[a-z0-9]$")


def variable_stem(name: str) -> str:
    """A name as it appears in an environment variable: `user-pool` is `USER_POOL`."""
    return name.upper().replace("-", "_")


@dataclass(frozen=True)
class ResourceSpec:
    """One resource of a domain: `name` is unique within the domain (lower case and hyphens), and
    each kind says which of the domain's functions may use it and how."""

    name: str

    kind: ClassVar[str] = "resource"  # what the kind is called in messages: 'bucket', 'user pool'
    # AWS-service events: the `source` its events carry on the default bus (None: it sends none) and their
    # detail types, which a subscription may name
    event_source: ClassVar[str | None] = None
    event_detail_types: ClassVar[frozenset[str]] = frozenset()

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"{self.kind} name {self.name!r}: 3 to 32 lower-case letters, digits and hyphens")

    def access(self) -> Mapping[str, tuple[str, ...]]:
        """What each function named by the spec may do with the resource, in the kind's own words."""
        return {}

    def event_detail_filter(self, physical_name: str) -> dict[str, Any]:
        """The part of an EventBridge pattern that picks this resource's events out of the service's."""
        raise ValueError(f"a {self.kind} sends no events to subscribe to")

    def notified(self) -> tuple[str, ...]:
        """The functions the resource itself invokes with its notifications (through an SNS topic, so
        asynchronously: Lambda retries them, then sends what still failed to the dead-letter queue)."""
        return ()


def _by_function(**uses: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """`{function: (use, ...)}` from `use=(function, ...)`."""
    granted: dict[str, tuple[str, ...]] = {}
    for use, functions in uses.items():
        for function in functions:
            granted[function] = (*granted.get(function, ()), use)
    return granted


@dataclass(frozen=True)
class AdminCalls:
    """The Cognito admin calls one function makes, by API name (`AdminGetUser`): the calls IAM governs.
    A pool's public client calls (SignUp, InitiateAuth) need no grant."""

    function: str
    calls: tuple[str, ...]

    def __post_init__(self) -> None:
        if bad := [call for call in self.calls if not call.startswith("Admin")]:
            raise ValueError(f"{self.function}: {bad} are not Cognito admin calls (AdminGetUser, ...)")


@dataclass(frozen=True)
class UserPoolSpec(ResourceSpec):
    """A Cognito user pool that people sign up to with their email address, with an app client the
    domain signs them in through, a group per role, and optional two-factor sign-in with
    authenticator apps. Cognito mails its codes through the platform's SES identity when one is
    configured. Its functions read `<DOMAIN>_USER_POOL_ID`, `_CLIENT_ID` and `_REGION` (and, locally,
    `_JWKS_URL`)."""

    kind: ClassVar[str] = "user pool"

    password_min_length: int = 12
    groups: tuple[str, ...] = ()
    admin_calls: tuple[AdminCalls, ...] = ()

    def access(self) -> Mapping[str, tuple[str, ...]]:
        """The admin calls each function makes."""
        return {grant.function: grant.calls for grant in self.admin_calls}


@dataclass(frozen=True)
class EncryptionKeySpec(ResourceSpec):
    """A customer-managed KMS key, rotated and retained, usable only with an encryption context whose
    `purpose` is `purpose` and whose keys are among `context_keys`: nothing else can be smuggled into
    the context. Its functions read `<DOMAIN>_<NAME>_KEY_ID` (an alias)."""

    kind: ClassVar[str] = "encryption key"

    description: str = ""
    purpose: str = ""
    context_keys: tuple[str, ...] = ("purpose",)
    encrypt: tuple[str, ...] = ()
    decrypt: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.purpose or "purpose" not in self.context_keys:
            raise ValueError(f"key {self.name!r}: a purpose, and 'purpose' among its context keys")

    def access(self) -> Mapping[str, tuple[str, ...]]:
        """Who encrypts and who decrypts."""
        return _by_function(encrypt=self.encrypt, decrypt=self.decrypt)


# The detail types S3 sends to EventBridge (https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html)
S3_DETAIL_TYPES = frozenset(
    {
        "Object Created",
        "Object Deleted",
        "Object Restore Initiated",
        "Object Restore Completed",
        "Object Restore Expired",
        "Object Tags Added",
        "Object Tags Deleted",
        "Object ACL Updated",
        "Object Storage Class Changed",
        "Object Access Tier Changed",
    }
)


@dataclass(frozen=True)
class BucketSpec(ResourceSpec):
    """An S3 bucket: encrypted, public access blocked, TLS only, unversioned; objects deleted
    `retention_days` after they were written and multipart uploads abandoned for
    `abandoned_upload_days` cleared; browsers on the platform's origin may PUT to presigned URLs and
    read the parts' ETags; every change sent to EventBridge's default bus, where subscriptions pick
    it up. Its functions read `<DOMAIN>_<NAME>_BUCKET` (the bucket's name).

    - `read`: get objects.
    - `write`: put and delete objects, abort multipart uploads.
    - `presign`: sign URLs with which others upload (single or multipart) and download: put and get
      objects, list and abort multipart uploads' parts.
    """

    kind: ClassVar[str] = "bucket"
    event_source: ClassVar[str | None] = "aws.s3"
    event_detail_types: ClassVar[frozenset[str]] = S3_DETAIL_TYPES

    retention_days: int = 7
    abandoned_upload_days: int = 1
    read: tuple[str, ...] = ()
    write: tuple[str, ...] = ()
    presign: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.retention_days < 1 or self.abandoned_upload_days < 1:
            raise ValueError(f"bucket {self.name!r}: retention and abandoned uploads are counted in whole days, >= 1")

    def access(self) -> Mapping[str, tuple[str, ...]]:
        """Who reads, writes and presigns."""
        return _by_function(read=self.read, write=self.write, presign=self.presign)

    def event_detail_filter(self, physical_name: str) -> dict[str, Any]:
        """S3's events name the bucket in `detail.bucket.name`."""
        return {"bucket": {"name": [physical_name]}}


@dataclass(frozen=True)
class EmailIdentitySpec(ResourceSpec):
    """Sending email through SES as the platform's configured sender (`-c mail_from=` in the cloud,
    `FIP_MAIL_FROM` locally), the same identity Cognito mails through, with the platform's SES
    configuration set, the identity's default, so every email sent through it is tracked. Its
    functions read `<DOMAIN>_<NAME>_SENDER`, the address they may send from and no other, and
    `<DOMAIN>_<NAME>_CONFIGURATION_SET`, the set to name in each send.

    - `send`: send email from the sender.
    - `feedback`: receive SES's bounce and complaint events about every email sent through the
      identity (the configuration set's event destination, an SNS topic), as SNS's Lambda event:
      `Records[].Sns.Message` is SES's JSON record (`eventType`, `bounce`, `complaint`, `mail`).
    """

    kind: ClassVar[str] = "email identity"

    send: tuple[str, ...] = ()
    feedback: tuple[str, ...] = ()

    def access(self) -> Mapping[str, tuple[str, ...]]:
        """Who sends."""
        return _by_function(send=self.send)

    def notified(self) -> tuple[str, ...]:
        """Who is told of bounces and complaints."""
        return self.feedback


@dataclass(frozen=True)
class AwsEventSubscription:
    """A function that receives an AWS service's events about one of its domain's resources, from
    EventBridge's default bus (where AWS services send theirs): `Object Created` in a bucket."""

    function: str
    resource: ResourceSpec
    detail_types: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.resource.event_source is None:
            raise ValueError(f"{self.function}: a {self.resource.kind} sends no events to subscribe to")
        unknown = set(self.detail_types) - self.resource.event_detail_types
        if not self.detail_types or unknown:
            raise ValueError(
                f"{self.function}: {self.resource.kind} {self.resource.name!r} sends "
                f"{sorted(self.resource.event_detail_types)}, not {sorted(unknown) or 'nothing'}"
            )

    def pattern(self, physical_name: str) -> dict[str, Any]:
        """The EventBridge pattern on the default bus, given the resource's name where it runs."""
        return {
            "source": [self.resource.event_source],
            "detail-type": list(self.detail_types),
            "detail": self.resource.event_detail_filter(physical_name),
        }

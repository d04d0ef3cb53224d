"""What every kind of resource does, in the CDK app and in the local platform, and what each side
gives it to do it with.

A kind is one object per spec type (`fip_core.resources`). `build` makes the spec's AWS resources in
the CDK app and answers a `BuiltResource`: the variables its domain's functions are told, and the
grants to the functions the spec names. `provision` makes the same resources in moto or LocalStack
(or finds them, made by an earlier run or kept in the state file) and answers the same variables.
Kinds import the CDK only inside `build`: the local platform imports them, and must not load it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from fip_core.resources import ResourceSpec

if TYPE_CHECKING:
    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_lambda as lambda_
    from constructs import Construct

    from infra.mail import PlatformMail

Emulator = Literal["moto", "localstack", "external"]


@dataclass(frozen=True)
class CloudContext:
    """What a kind is given to build a domain's resource in the CDK app."""

    domain: str
    environment: str  # the deployment: dev, prod
    mail: PlatformMail | None  # the platform's SES identity, when `-c mail_from` configures one
    web_origins: tuple[str, ...]  # where the platform's web pages are served from (`-c web_origin`)


class BuiltResource(Protocol):
    """A resource as the CDK app built it."""

    @property
    def environment(self) -> Mapping[str, str]:
        """The variables every function of the domain is told (the names the domain's settings read)."""
        ...

    @property
    def event_name(self) -> str:
        """The name AWS's events about it carry (a bucket's name), for the rules of subscriptions."""
        ...

    def grant(self, roles: Mapping[str, iam.IGrantable]) -> None:
        """Let each function the spec names (by name, in `roles`) do what the spec says, and no more."""
        ...


@runtime_checkable
class NotifyingResource(Protocol):
    """A built resource that invokes functions with its notifications (a spec whose `notified()` names some)."""

    def notify(self, functions: Mapping[str, lambda_.IFunction]) -> None:
        """Have the resource invoke each function the spec names for its notifications (by name, in `functions`)."""
        ...


@dataclass(frozen=True)
class LocalContext:
    """What a kind is given to provision a domain's resource locally."""

    domain: str
    emulator: Emulator  # moto (its state kept in a file), LocalStack (nothing kept), or one already running
    state_dir: Path | None  # where the emulator's own kept files are, for what must survive its restart
    client: Callable[[str], Any]  # a boto3 client for a service, on the emulator that serves it
    endpoint: Callable[[str], str]  # the endpoint that serves a service
    web_origins: tuple[str, ...]  # the local gateway's origins
    mail_from: str  # the sender of the platform's email
    region: str


@dataclass(frozen=True)
class Provisioned:
    """A resource as the local platform made or found it."""

    environment: dict[str, str]
    event_name: str = ""  # the name AWS's events about it carry, for kinds that send events
    topic_arn: str = ""  # the SNS topic its notifications are published to, for specs that notify functions
    description: str = ""  # one line for the console


class ResourceKind[S: ResourceSpec](Protocol):
    """How one type of spec is built in the CDK app and provisioned locally."""

    spec_type: type[S]

    def build(self, scope: Construct, spec: S, cloud: CloudContext) -> BuiltResource:
        """Make the resource in the domain's construct."""
        ...

    def provision(self, spec: S, local: LocalContext) -> Provisioned:
        """Make (or find) the resource in the local emulator."""
        ...


def construct_id(spec: ResourceSpec, suffix: str = "") -> str:
    """A construct id from a spec's name: `user-pool` is `UserPool`, `credentials` with `Key` is
    `CredentialsKey` (the ids the resources had before kinds, so their logical ids stay put)."""
    return "".join(part.capitalize() for part in spec.name.split("-")) + suffix

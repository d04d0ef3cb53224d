"""The resources the domains declare, made in moto or LocalStack by their kinds (`infra/resources`) as
the CDK app makes them in AWS, and the variables their functions are told."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from fip_core.declaration import DomainDeclaration
from fip_core.resources import AwsEventSubscription, ResourceSpec
from infra.resources import kind_of
from infra.resources.kind import Emulator, LocalContext, Provisioned
from local_platform.aws import AwsEndpoints, aws_client
from local_platform.config import REGION, PlatformConfig

DEFAULT_MAIL_FROM = PlatformConfig.model_fields["mail_from"].default


@dataclass
class LocalResources:
    """What the kinds made, by domain and resource name."""

    provisioned: dict[tuple[str, str], Provisioned] = field(default_factory=dict)

    @property
    def environment(self) -> dict[str, str]:
        """Every variable the domains' functions read about their resources."""
        return {key: value for made in self.provisioned.values() for key, value in made.environment.items()}

    def event_name(self, domain: str, subscription: AwsEventSubscription) -> str:
        """The name a subscribed resource's events carry here (a bucket's local name)."""
        return self.provisioned[(domain, subscription.resource.name)].event_name

    def topic_arn(self, domain: str, spec: ResourceSpec) -> str:
        """The SNS topic a resource publishes its notifications to here; a resource that notifies has one."""
        topic = self.provisioned[(domain, spec.name)].topic_arn
        if not topic:
            raise ValueError(f"{domain}/{spec.name} names functions to notify, but its kind made no topic")
        return topic

    def describe(self) -> list[str]:
        """One line per resource, for the console."""
        return [f"{domain}/{name}: {made.description}" for (domain, name), made in self.provisioned.items()]


def provision_resources(
    aws: AwsEndpoints,
    domains: Sequence[DomainDeclaration],
    *,
    emulator: Emulator = "external",
    state_dir: Path | None = None,
    web_origins: Sequence[str] = (),
    mail_from: str = DEFAULT_MAIL_FROM,
) -> LocalResources:
    """Make (or find, in a kept or long-lived emulator) every declared resource; `state_dir` is where
    the emulator's own kept files are (LocalStack's pinned keys)."""
    made = LocalResources()
    for domain in domains:
        context = LocalContext(
            domain=domain.name,
            emulator=emulator,
            state_dir=state_dir,
            client=lambda service: aws_client(service, aws.endpoint(service)),
            endpoint=partial(AwsEndpoints.endpoint, aws),
            web_origins=tuple(web_origins),
            mail_from=mail_from,
            region=REGION,
        )
        for spec in domain.resources:
            made.provisioned[(domain.name, spec.name)] = kind_of(spec).provision(spec, context)
    return made

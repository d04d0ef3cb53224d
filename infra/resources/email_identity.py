"""The email identity kind: an `EmailIdentitySpec` as the right to send through SES from the
platform's sender with the platform's configuration set, whose bounce and complaint events go to an SNS
topic the spec's `feedback` functions are subscribed to: in the CDK app (`infra/mail.py`: the identity
of `-c mail_from`'s domain, which Cognito mails through too) and locally (the address `FIP_MAIL_FROM`,
verified in moto's or LocalStack's SES, which keep what is sent: LocalStack shows it at `/_aws/ses`;
the configuration set `fip-mail` with its SNS event destination, the topic `fip-mail-feedback`, which
the local platform delivers to the functions through a queue, as it does events).

Neither emulator bounces: moto keeps a configuration set's event destinations without publishing to
them, so locally a bounce is what is published to the topic in SES's format.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from fip_core.resources import EmailIdentitySpec, variable_stem
from fip_core.settings import env_prefix
from infra.resources.kind import BuiltResource, CloudContext, LocalContext, Provisioned, construct_id

if TYPE_CHECKING:
    from constructs import Construct


# the platform's, whichever domain's spec makes them first
CONFIGURATION_SET = "fip-mail"
FEEDBACK_TOPIC = "fip-mail-feedback"


class EmailIdentityKind:
    """Builds and provisions `EmailIdentitySpec`s."""

    spec_type = EmailIdentitySpec

    def build(self, scope: Construct, spec: EmailIdentitySpec, cloud: CloudContext) -> BuiltResource:
        """Sending from the platform's sender, through its identity (none until `-c mail_from` names one)."""
        from infra.mail import DomainSender  # the CDK only when building (see infra/resources/kind.py)

        return DomainSender(scope, construct_id(spec, "Sender"), domain=cloud.domain, spec=spec, mail=cloud.mail)

    def provision(self, spec: EmailIdentitySpec, local: LocalContext) -> Provisioned:
        """The sender's address verified in the emulator's SES, which refuses mail from any other; the
        configuration set and its bounce and complaint destination, the feedback topic (made unless they
        exist: moto's state file or a long-lived emulator keeps them)."""
        ses = local.client("ses")
        ses.verify_email_identity(EmailAddress=local.mail_from)
        topic_arn = str(local.client("sns").create_topic(Name=FEEDBACK_TOPIC)["TopicArn"])  # idempotent
        with contextlib.suppress(ses.exceptions.ConfigurationSetAlreadyExistsException):
            ses.create_configuration_set(ConfigurationSet={"Name": CONFIGURATION_SET})
        with contextlib.suppress(ses.exceptions.EventDestinationAlreadyExistsException):
            ses.create_configuration_set_event_destination(
                ConfigurationSetName=CONFIGURATION_SET,
                EventDestination={
                    "Name": "feedback",
                    "Enabled": True,
                    "MatchingEventTypes": ["bounce", "complaint"],
                    "SNSDestination": {"TopicARN": topic_arn},
                },
            )
        stem = f"{env_prefix(local.domain)}{variable_stem(spec.name)}"
        return Provisioned(
            environment={f"{stem}_SENDER": local.mail_from, f"{stem}_CONFIGURATION_SET": CONFIGURATION_SET},
            topic_arn=topic_arn,
            description=f"SES sender {local.mail_from}, configuration set {CONFIGURATION_SET}, "
            f"bounces and complaints to {FEEDBACK_TOPIC}",
        )

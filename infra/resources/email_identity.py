"""The email identity kind: an `EmailIdentitySpec` as the right to send through SES from the
platform's sender, in the CDK app (`infra/mail.py`: the identity of `-c mail_from`'s domain, which
Cognito mails through too) and locally (the address `FIP_MAIL_FROM`, verified in moto's or
LocalStack's SES, which keep what is sent: LocalStack shows it at `/_aws/ses`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fip_core.resources import EmailIdentitySpec, variable_stem
from fip_core.settings import env_prefix
from infra.resources.kind import BuiltResource, CloudContext, LocalContext, Provisioned, construct_id

if TYPE_CHECKING:
    from constructs import Construct


class EmailIdentityKind:
    """Builds and provisions `EmailIdentitySpec`s."""

    spec_type = EmailIdentitySpec

    def build(self, scope: Construct, spec: EmailIdentitySpec, cloud: CloudContext) -> BuiltResource:
        """Sending from the platform's sender, through its identity (none until `-c mail_from` names one)."""
        from infra.mail import DomainSender  # the CDK only when building (see infra/resources/kind.py)

        return DomainSender(scope, construct_id(spec, "Sender"), domain=cloud.domain, spec=spec, mail=cloud.mail)

    def provision(self, spec: EmailIdentitySpec, local: LocalContext) -> Provisioned:
        """The sender's address verified in the emulator's SES, which refuses mail from any other."""
        local.client("ses").verify_email_identity(EmailAddress=local.mail_from)
        variable = f"{env_prefix(local.domain)}{variable_stem(spec.name)}_SENDER"
        return Provisioned(environment={variable: local.mail_from}, description=f"SES sender {local.mail_from}")

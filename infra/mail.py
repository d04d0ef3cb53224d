"""The platform's sender of email: an SES identity for the domain of `-c mail_from=no-reply@your.domain`,
which Cognito sends its codes through once `-c mail_verified=true` says SES has verified it. Cognito's
own sender allows about 50 emails a day for the whole platform, which anybody could use up by
signing up; SES sends as many as the account's quota.

Two deploys, because Cognito refuses a user pool whose SES identity is not verified yet: the first
makes the identity and outputs its three Easy DKIM CNAME records for the domain's DNS; once SES
shows the domain verified, the second moves the pool onto it and gives Cognito the sending
authorization policy it needs (Cognito's guide: an identity used outside the console must carry
one; CloudFormation has no resource for it, so an SDK call sets it). A new SES account is in the
sandbox, mailing only verified addresses, until AWS moves it out on request.

Every email sent through the identity, Cognito's included, goes with the platform's SES configuration
set (the identity's default, and named in each send): its event destination publishes SES's bounce
and complaint events to an encrypted SNS topic, to which the functions a spec names for `feedback`
are subscribed, so that addresses that bounce for good or complain get no more email.

Domains that send email declare an `EmailIdentitySpec` (built by `infra.resources.email_identity`):
their functions may send from this sender alone, through this identity and configuration set
(`DomainSender`)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from aws_cdk import Annotations, Aws, CfnOutput, Names, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import custom_resources as cr
from constructs import Construct

from fip_core.resources import EmailIdentitySpec, variable_stem
from fip_core.settings import env_prefix
from infra.compliance import acknowledge
from infra.constants import MAIL_FROM_CONTEXT_KEY, MAIL_FROM_NAME

_ADDRESS = re.compile(r"^[^@\s]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)$")
COGNITO_MAIL_PRINCIPAL = "email.cognito-idp.amazonaws.com"


class PlatformMail(Construct):
    """An SES identity for the sender's domain; once verified, the email setting of the user pools."""

    def __init__(self, scope: Construct, construct_id: str, *, sender: str, verified: bool) -> None:
        super().__init__(scope, construct_id)
        found = _ADDRESS.match(sender)
        if found is None:
            raise ValueError(f"mail_from must be an email address such as no-reply@example.org, not {sender!r}")
        self.sender = sender
        self.domain = found.group(1).lower()
        self.verified = verified
        self.configuration_set = ses.ConfigurationSet(self, "ConfigurationSet", reputation_metrics=True)
        self.feedback_topic = self._feedback_topic()
        self.configuration_set.add_event_destination(
            "Feedback",
            destination=ses.EventDestination.sns_topic(self.feedback_topic),
            events=[ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
        )
        # the identity's default set: what Cognito sends through it is tracked too, without naming the set
        self.identity = ses.EmailIdentity(
            self, "Identity", identity=ses.Identity.domain(self.domain), configuration_set=self.configuration_set
        )
        for number, record in enumerate(self.identity.dkim_records, start=1):
            CfnOutput(
                self,
                f"DkimRecord{number}",
                value=f"{record.name} CNAME {record.value}",
                description=f"Add to the DNS of {self.domain} so that SES may send as {sender}",
            )

    def _feedback_topic(self) -> sns.Topic:
        # SES can publish to an encrypted topic only under a key whose policy lets it, for this set alone
        key = kms.Key(
            self,
            "FeedbackKey",
            description="Encrypts SES's bounce and complaint events of the Federated Imputation Platform",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.DESTROY,
        )
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="SesPublishesFeedback",
                principals=[iam.ServicePrincipal("ses.amazonaws.com")],
                actions=["kms:GenerateDataKey*", "kms:Decrypt"],
                resources=["*"],
                conditions={
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID, "aws:SourceArn": self.configuration_set_arn}
                },
            )
        )
        return sns.Topic(
            self,
            "FeedbackTopic",
            display_name="Federated Imputation Platform email bounces and complaints",
            master_key=key,
            enforce_ssl=True,
        )

    @property
    def configuration_set_arn(self) -> str:
        """The configuration set's ARN, which sends through it are authorised against."""
        name = self.configuration_set.configuration_set_name
        return f"arn:{Aws.PARTITION}:ses:{Aws.REGION}:{Aws.ACCOUNT_ID}:configuration-set/{name}"

    @property
    def identity_arn(self) -> str:
        """The identity's ARN, which Cognito's SourceArn names (built, so the pool waits on no resource)."""
        return f"arn:{Aws.PARTITION}:ses:{Aws.REGION}:{Aws.ACCOUNT_ID}:identity/{self.domain}"

    def user_pool_email(self) -> cognito.UserPoolEmail | None:
        """Cognito's email through this identity, or None (Cognito's own sender) until it is verified."""
        if not self.verified:
            return None
        return cognito.UserPoolEmail.with_ses(
            from_email=self.sender,
            from_name=MAIL_FROM_NAME,
            ses_verified_domain=self.domain,
            ses_region=Stack.of(self).region,
            configuration_set_name=self.configuration_set.configuration_set_name,
        )

    def let_send(self, scope: Construct, user_pool: cognito.IUserPool) -> None:
        """Let Cognito send as this identity for one pool (and only that pool, of this account)."""
        if not self.verified:
            return
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "CognitoSendsTheUserPoolsCodes",
                    "Effect": "Allow",
                    "Principal": {"Service": COGNITO_MAIL_PRINCIPAL},
                    "Action": ["ses:SendEmail", "ses:SendRawEmail"],
                    "Resource": self.identity_arn,
                    "Condition": {
                        "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                        "ArnLike": {"aws:SourceArn": user_pool.user_pool_arn},
                    },
                }
            ],
        }
        parameters = {
            "EmailIdentity": self.domain,
            "PolicyName": "cognito-user-pool",
            "Policy": Stack.of(self).to_json_string(policy),
        }
        call = cr.AwsSdkCall(
            service="SESV2",
            action="putEmailIdentityPolicy",
            parameters=parameters,
            physical_resource_id=cr.PhysicalResourceId.of(f"{self.domain}-cognito-user-pool"),
        )
        sending = cr.AwsCustomResource(
            scope,
            "MailSendingPolicy",
            on_create=call,
            on_update=call,
            on_delete=cr.AwsSdkCall(
                service="SESV2",
                action="deleteEmailIdentityPolicy",
                parameters={"EmailIdentity": self.domain, "PolicyName": "cognito-user-pool"},
            ),
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [
                    iam.PolicyStatement(
                        actions=["ses:PutEmailIdentityPolicy", "ses:DeleteEmailIdentityPolicy"],
                        resources=[self.identity_arn],
                    )
                ]
            ),
            install_latest_aws_sdk=False,
        )
        sending.node.add_dependency(self.identity)
        # the function behind every SDK call of the stack, which the CDK makes once at the root of the stack the
        # call is in (the pool's)
        provider = Stack.of(sending).node.find_child(
            "AWS" + cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace("-", "")
        )
        acknowledge(
            provider,
            "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
            "The CDK's SDK-call function logs through the AWS-managed basic execution policy (log groups and "
            "streams of its own); it runs only on deploy, and its other policy allows nothing but setting and "
            "removing the mail identity's sending policy.",
        )


class DomainSender(Construct):
    """A domain's right to send email from the platform's sender, through its identity and the
    platform's configuration set, and nothing else: SES's `ses:FromAddress` condition holds the
    functions to that one address. Its `feedback` functions are subscribed to SES's bounces and complaints."""

    def __init__(
        self, scope: Construct, construct_id: str, *, domain: str, spec: EmailIdentitySpec, mail: PlatformMail | None
    ) -> None:
        super().__init__(scope, construct_id)
        self.domain = domain
        self.spec = spec
        self.mail = mail
        if mail is None:
            Annotations.of(self).add_warning(
                f"the {domain} domain sends email, but no sender is configured: deploy with "
                f"-c {MAIL_FROM_CONTEXT_KEY}=no-reply@your.domain (its functions are told an empty sender until then)"
            )

    @property
    def environment(self) -> Mapping[str, str]:
        """`<DOMAIN>_<NAME>_SENDER`, the address to send from, and `_CONFIGURATION_SET`, the set to send
        with (both empty while no sender is configured)."""
        stem = f"{env_prefix(self.domain)}{variable_stem(self.spec.name)}"
        if self.mail is None:
            return {f"{stem}_SENDER": "", f"{stem}_CONFIGURATION_SET": ""}
        return {
            f"{stem}_SENDER": self.mail.sender,
            f"{stem}_CONFIGURATION_SET": self.mail.configuration_set.configuration_set_name,
        }

    @property
    def event_name(self) -> str:
        """No events are subscribed to through a sender."""
        raise ValueError("an email identity sends no events to subscribe to")

    def grant(self, roles: Mapping[str, iam.IGrantable]) -> None:
        """Let the functions that send do so from the sender only, through its identity and the
        configuration set only (SES authorises a send against both)."""
        if self.mail is None:
            return
        for function in self.spec.access():
            iam.Grant.add_to_principal(
                grantee=roles[function],
                actions=["ses:SendEmail", "ses:SendRawEmail"],
                resource_arns=[self.mail.identity_arn, self.mail.configuration_set_arn],
                conditions={"StringEquals": {"ses:FromAddress": self.mail.sender}},
            )

    def notify(self, functions: Mapping[str, lambda_.IFunction]) -> None:
        """Subscribe the `feedback` functions to SES's bounces and complaints (SNS invokes them
        asynchronously; a permission lets that topic alone)."""
        if self.mail is None:
            return
        # What `LambdaSubscription` makes, but for its stack dependency: the functions are in the domain's nested
        # stack and the topic in the platform's, and a nested stack may not depend on its parent (it refers to
        # the topic's ARN, passed in, so the topic exists first all the same).
        topic = self.mail.feedback_topic
        for name in self.spec.notified():
            function = functions[name]
            function.add_permission(
                f"AllowInvoke:{Names.node_unique_id(topic.node)}",
                principal=iam.ServicePrincipal("sns.amazonaws.com"),
                source_arn=topic.topic_arn,
            )
            sns.Subscription(
                self,
                f"{name} feedback",
                topic=topic,
                endpoint=function.function_arn,
                protocol=sns.SubscriptionProtocol.LAMBDA,
            )

"""What tells an operator that something is wrong: an alarm on each domain's functions' errors, on every
dead-letter queue that is not empty, on events waiting too long in an outbox or quarantined by a
subscriber, and on the API's 5xx answers, each notifying one encrypted topic that people (or a
pager) subscribe to."""

from __future__ import annotations

from collections.abc import Iterable

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk.aws_apigatewayv2 import HttpApi
from constructs import Construct

from fip_core.relay import OLDEST_WAITING_METRIC
from fip_core.settings import METRICS_NAMESPACE
from fip_core.subscribers import QUARANTINED_METRIC
from infra.constants import ALARM_PERIOD, API_SERVER_ERRORS_THRESHOLD, OUTBOX_WAITING_ALARM_SECONDS
from infra.domain import DomainFunction, DomainService

MATH_ALARM_MAX_METRICS = 10  # CloudWatch's limit of metrics in one alarm's math expression


class PlatformAlarms(Construct):
    """The operators' topic and the platform's alarms, all notifying it (and again when they clear)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        domains: Iterable[DomainService],
        platform_functions: Iterable[DomainFunction],
        http_api: HttpApi,
        email: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        # CloudWatch cannot publish to a topic under the AWS-managed SNS key: it needs a key whose policy
        # lets the cloudwatch service use it
        self.key = kms.Key(
            self,
            "Key",
            description="Encrypts the alarm notifications of the Federated Imputation Platform",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.key.grant(iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*")
        self.topic = sns.Topic(
            self, "Topic", display_name="Federated Imputation Platform alarms", master_key=self.key, enforce_ssl=True
        )
        if email:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
        self._action = actions.SnsAction(self.topic)

        for service in domains:
            domain = service.declaration.name
            self._errors_alarms(domain, {name: built.function for name, built in service.functions.items()})
            if service.declaration.publishes:
                # the relay reports at its schedule's rate (which a profile may space out): the alarm
                # looks over one such interval, and silence for that long means it is not running
                relay_minutes = next(
                    service.rate_minutes(s)
                    for s in service.declaration.schedules
                    if s.function == service.declaration.relay_function
                )
                waited = max(OUTBOX_WAITING_ALARM_SECONDS, 2 * relay_minutes * 60)
                self._alarm(
                    f"{domain} events waiting",
                    _domain_metric(
                        domain,
                        OLDEST_WAITING_METRIC,
                        cloudwatch.Stats.MAXIMUM,
                        Duration.minutes(max(relay_minutes, int(ALARM_PERIOD.to_minutes()))),
                    ),
                    threshold=waited,
                    description=(
                        f"An event of the {domain} domain has waited in its outbox {waited} s or more, or the "
                        "scheduled relay reported nothing: the bus or the relay is failing."
                    ),
                    missing=cloudwatch.TreatMissingData.BREACHING,
                )
            if service.declaration.subscriptions:
                self._alarm(
                    f"{domain} quarantined events",
                    _domain_metric(domain, QUARANTINED_METRIC, cloudwatch.Stats.SUM),
                    threshold=1,
                    description=(
                        f"The {domain} domain received events it could not read and kept them aside, with the reason, "
                        "in its quarantined_events table."
                    ),
                )
            if service.dead_letters is not None:
                self._alarm(
                    f"{domain} dead letters",
                    _visible_messages(service.dead_letters),
                    threshold=1,
                    description=(
                        f"Events or schedules of the {domain} domain could not be delivered; "
                        "they wait in its dead-letter queue for 14 days."
                    ),
                )
        self._errors_alarms("platform", {built.declaration.name: built.function for built in platform_functions})
        self._alarm(
            "api server errors",
            http_api.metric_server_error(period=ALARM_PERIOD, statistic=cloudwatch.Stats.SUM),
            threshold=API_SERVER_ERRORS_THRESHOLD,
            description="The HTTP API answered 5xx: a handler failed or a function could not be reached.",
        )

    def _errors_alarms(self, owner: str, functions: dict[str, lambda_.IFunction]) -> None:
        # One alarm on the sum of a domain's functions' errors rather than one a function: a CloudFormation
        # stack holds at most 500 resources, and the platform's functions multiply. The alarm names the
        # functions it watches; the operations dashboard and each function's logs tell which one failed.
        names = sorted(functions)
        for start in range(0, len(names), MATH_ALARM_MAX_METRICS):
            chunk = names[start : start + MATH_ALARM_MAX_METRICS]
            suffix = f" {start // MATH_ALARM_MAX_METRICS + 1}" if len(names) > MATH_ALARM_MAX_METRICS else ""
            self._alarm(
                f"{owner} errors{suffix}",
                cloudwatch.MathExpression(
                    expression="SUM(METRICS())",
                    using_metrics={f"m{n}": functions[name].metric_errors() for n, name in enumerate(chunk)},
                    period=ALARM_PERIOD,
                    label=f"{owner} function errors",
                ),
                threshold=1,
                description=f"A function of {owner} failed (an unhandled error or a timeout): {', '.join(chunk)}.",
            )

    def _alarm(
        self,
        name: str,
        metric: cloudwatch.IMetric,
        *,
        threshold: float,
        description: str,
        missing: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING,
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            name.title().replace(" ", ""),
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=missing,
            alarm_description=description,
        )
        alarm.add_alarm_action(self._action)
        alarm.add_ok_action(self._action)


def _domain_metric(domain: str, name: str, statistic: str, period: Duration = ALARM_PERIOD) -> cloudwatch.Metric:
    # Powertools writes each domain's metrics with the dimension `service` = the domain
    return cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=name,
        dimensions_map={"service": domain},
        period=period,
        statistic=statistic,
    )


def _visible_messages(queue: sqs.IQueue) -> cloudwatch.Metric:
    return queue.metric_approximate_number_of_messages_visible(period=ALARM_PERIOD, statistic=cloudwatch.Stats.MAXIMUM)

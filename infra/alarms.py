"""What tells an operator that something is wrong: an alarm on each domain's functions' errors and
throttles, on every dead-letter queue that is not empty, on events waiting too long in an outbox or
quarantined by a subscriber, on the API's 5xx answers, on the database near its profile's maximum
capacity, on a service down for longer than an hour and on jobs stalled, each notifying one encrypted
topic that people (or a pager) subscribe to."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_rds as rds
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk.aws_apigatewayv2 import HttpApi
from constructs import Construct

from fip_core.relay import OLDEST_WAITING_METRIC
from fip_core.subscribers import QUARANTINED_METRIC
from infra.constants import (
    ALARM_PERIOD,
    API_SERVER_ERRORS_THRESHOLD,
    DATABASE_CAPACITY_ALARM_FRACTION,
    DATABASE_CAPACITY_ALARM_PERIODS,
    FUNCTION_THROTTLES_THRESHOLD,
    OUTBOX_WAITING_ALARM_SECONDS,
    SERVICE_DOWN_ALARM_MINUTES,
    SERVICE_DOWN_MIN_PERIODS,
    SERVICE_DOWN_PERIOD,
)
from infra.domain import DomainFunction, DomainService
from infra.domain_metrics import JOBS_STALLED, SERVICES_UNHEALTHY, ReportedMetric, domain_metric

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
        clusters: Mapping[str, rds.DatabaseCluster],
        max_capacity: float,
        email: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.alarms: list[cloudwatch.Alarm] = []  # every alarm, for the operations dashboard
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

        domains = list(domains)
        for service in domains:
            domain = service.declaration.name
            self._function_alarms(domain, {name: built.function for name, built in service.functions.items()})
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
                    domain_metric(
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
                    domain_metric(domain, QUARANTINED_METRIC, cloudwatch.Stats.SUM),
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
        self._function_alarms("platform", {built.declaration.name: built.function for built in platform_functions})
        self._alarm(
            "api server errors",
            http_api.metric_server_error(period=ALARM_PERIOD, statistic=cloudwatch.Stats.SUM),
            threshold=API_SERVER_ERRORS_THRESHOLD,
            description="The HTTP API answered 5xx: a handler failed or a function could not be reached.",
        )
        for identifier, cluster in clusters.items():
            self._capacity_alarm(identifier, cluster, max_capacity)
        by_name = {service.declaration.name: service for service in domains}
        if (registry := by_name.get(SERVICES_UNHEALTHY.domain)) is not None:
            self._service_down_alarm(registry)
        if (jobs := by_name.get(JOBS_STALLED.domain)) is not None:
            minutes = _reporting_minutes(jobs, JOBS_STALLED)
            self._alarm(
                "jobs stalled",
                JOBS_STALLED.metric(Duration.minutes(max(minutes, int(ALARM_PERIOD.to_minutes())))),
                threshold=1,
                description=(
                    "A job's service has said nothing new about it for longer than JOBS_STALLED_AFTER_MINUTES "
                    "(a day by default): the service may have lost it or stopped answering. The job's page shows "
                    "it stalled; its owner has not been told."
                ),
            )

    def _function_alarms(self, owner: str, functions: dict[str, lambda_.IFunction]) -> None:
        # One alarm on the sum of a domain's functions' errors, and one on their throttles, rather than one a
        # function: a CloudFormation stack holds at most 500 resources, and the platform's functions multiply.
        # Each alarm names the functions it watches; the operations dashboard and each function's logs tell
        # which one it was.
        self._summed_alarms(
            owner,
            functions,
            "errors",
            lambda function: function.metric_errors(),
            threshold=1,
            description="A function of {owner} failed (an unhandled error or a timeout): {names}.",
        )
        self._summed_alarms(
            owner,
            functions,
            "throttles",
            lambda function: function.metric_throttles(),
            threshold=FUNCTION_THROTTLES_THRESHOLD,
            description=(
                "A function of {owner} was throttled, at its reserved concurrency (its share of the database's "
                "connections): requests got 429s, events waited. {names}."
            ),
        )

    def _summed_alarms(
        self,
        owner: str,
        functions: dict[str, lambda_.IFunction],
        what: str,
        metric_of: Callable[[lambda_.IFunction], cloudwatch.Metric],
        *,
        threshold: float,
        description: str,
    ) -> None:
        names = sorted(functions)
        for start in range(0, len(names), MATH_ALARM_MAX_METRICS):
            chunk = names[start : start + MATH_ALARM_MAX_METRICS]
            suffix = f" {start // MATH_ALARM_MAX_METRICS + 1}" if len(names) > MATH_ALARM_MAX_METRICS else ""
            self._alarm(
                f"{owner} {what}{suffix}",
                cloudwatch.MathExpression(
                    expression="SUM(METRICS())",
                    using_metrics={f"m{n}": metric_of(functions[name]) for n, name in enumerate(chunk)},
                    period=ALARM_PERIOD,
                    label=f"{owner} function {what}",
                ),
                threshold=threshold,
                description=description.format(owner=owner, names=", ".join(chunk)),
            )

    def _capacity_alarm(self, identifier: str, cluster: rds.DatabaseCluster, max_capacity: float) -> None:
        threshold = DATABASE_CAPACITY_ALARM_FRACTION * max_capacity
        minutes = DATABASE_CAPACITY_ALARM_PERIODS * int(ALARM_PERIOD.to_minutes())
        self._alarm(
            f"database capacity {identifier}",
            cluster.metric_serverless_database_capacity(period=ALARM_PERIOD, statistic=cloudwatch.Stats.MAXIMUM),
            threshold=threshold,
            periods=(DATABASE_CAPACITY_ALARM_PERIODS, DATABASE_CAPACITY_ALARM_PERIODS),
            description=(
                f"The database cluster {identifier} has used {threshold:g} ACU or more of its {max_capacity:g} ACU "
                f"maximum for {minutes} minutes: queries slow down and connections may be refused. Raise the "
                "profile's maximum capacity, or find the load (Performance Insights, the slow query log)."
            ),
        )

    def _service_down_alarm(self, registry: DomainService) -> None:
        minutes, down, looked_at = service_down_window(_reporting_minutes(registry, SERVICES_UNHEALTHY))
        self._alarm(
            "service down",
            SERVICES_UNHEALTHY.metric(Duration.minutes(minutes)),
            threshold=1,
            periods=(down, looked_at),
            description=(
                f"An imputation service has been found unhealthy in {down} of the last {looked_at} periods of "
                f"{minutes} minutes (down about {down * minutes} minutes or more). The admins have been emailed; "
                "GET /service-health names it and says why."
            ),
        )

    def _alarm(
        self,
        name: str,
        metric: cloudwatch.IMetric,
        *,
        threshold: float,
        description: str,
        missing: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING,
        periods: tuple[int, int] = (1, 1),
    ) -> None:
        breaching, evaluated = periods  # M breaching periods of the last N
        alarm = cloudwatch.Alarm(
            self,
            name.title().replace(" ", ""),
            metric=metric,
            threshold=threshold,
            datapoints_to_alarm=breaching,
            evaluation_periods=evaluated,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=missing,
            alarm_description=description,
        )
        alarm.add_alarm_action(self._action)
        alarm.add_ok_action(self._action)
        self.alarms.append(alarm)


def service_down_window(sweep_minutes: int) -> tuple[int, int, int]:
    """The service-down alarm's period (minutes), and how many of how many periods must find a service down.

    The sweep reports the services it found unhealthy on each run. Over periods at least as long as the
    sweep's rate and SERVICE_DOWN_PERIOD (so that each sees a failing service checked again), a service down
    for SERVICE_DOWN_ALARM_MINUTES is unhealthy in that many periods in a row, and never fewer than
    SERVICE_DOWN_MIN_PERIODS (one failed check never pages). One period more may be missing or healthy (a
    sweep that did not report, a check that got through once) without hiding a service that stays down."""
    minutes = max(sweep_minutes, int(SERVICE_DOWN_PERIOD.to_minutes()))
    down = max(SERVICE_DOWN_MIN_PERIODS, math.ceil(SERVICE_DOWN_ALARM_MINUTES / minutes))
    return minutes, down, down + 1


def _reporting_minutes(service: DomainService, reported: ReportedMetric) -> int:
    """How often, in this deployment, the scheduled function that reports a metric runs."""
    return next(
        service.rate_minutes(schedule)
        for schedule in service.declaration.schedules
        if schedule.function == reported.function
    )


def _visible_messages(queue: sqs.IQueue) -> cloudwatch.Metric:
    return queue.metric_approximate_number_of_messages_visible(period=ALARM_PERIOD, statistic=cloudwatch.Stats.MAXIMUM)

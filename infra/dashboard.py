"""The operators' CloudWatch dashboard: every alarm's state first, then the API, each domain's functions,
the events between domains, the database, the services' health, the jobs and the platform's business
figures, so that what an alarm points at is one scroll away."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_rds as rds
from aws_cdk.aws_apigatewayv2 import HttpApi
from constructs import Construct

from fip_core.relay import OLDEST_WAITING_METRIC
from fip_core.subscribers import QUARANTINED_METRIC
from infra.constants import (
    DASHBOARD_PERIOD,
    DASHBOARD_WIDGET_HEIGHT,
    DATABASE_CAPACITY_ALARM_FRACTION,
    NAME_PREFIX,
)
from infra.domain import DomainFunction, DomainService
from infra.domain_metrics import (
    JOB_TRANSITIONS,
    JOBS_COMPLETED,
    JOBS_FAILED,
    JOBS_POLLED,
    JOBS_STALLED,
    SERVICES_CHECKED,
    SERVICES_DOWN,
    SERVICES_UNHEALTHY,
    TURNAROUND_SECONDS,
    ReportedMetric,
    domain_metric,
)

GRID_WIDTH = 24  # CloudWatch's dashboard grid
ALARMS_PER_STATUS_WIDGET = 100  # the most alarms one alarm-status widget shows


class OperationsDashboard(Construct):
    """One dashboard of the whole platform, named `fip-<environment>-operations`."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: str,
        domains: Iterable[DomainService],
        platform_functions: Iterable[DomainFunction],
        http_api: HttpApi,
        clusters: Mapping[str, rds.DatabaseCluster],
        max_capacity: float,
        alarms: Sequence[cloudwatch.IAlarm],
    ) -> None:
        super().__init__(scope, construct_id)
        domains = list(domains)
        self.dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=f"{NAME_PREFIX}-{environment}-operations",
            default_interval=Duration.hours(6),
        )
        self.dashboard.add_widgets(
            cloudwatch.TextWidget(
                markdown=(
                    f"# Federated Imputation Platform ({environment})\n"
                    "Every alarm notifies the topic in the stack's `AlarmTopicArn` output. Below: the API, each "
                    "domain's functions, events, the database, services' health, jobs, and business figures."
                ),
                width=GRID_WIDTH,
                height=2,
            )
        )
        for start in range(0, len(alarms), ALARMS_PER_STATUS_WIDGET):
            self.dashboard.add_widgets(
                cloudwatch.AlarmStatusWidget(
                    title="Alarms",
                    alarms=list(alarms[start : start + ALARMS_PER_STATUS_WIDGET]),
                    sort_by=cloudwatch.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
                    width=GRID_WIDTH,
                    height=DASHBOARD_WIDGET_HEIGHT,
                )
            )
        self.dashboard.add_widgets(*_api(http_api))
        for service in domains:
            functions = {name: built.function for name, built in service.functions.items()}
            self.dashboard.add_widgets(*_functions(service.declaration.name, functions))
        self.dashboard.add_widgets(
            *_functions("platform", {built.declaration.name: built.function for built in platform_functions})
        )
        self.dashboard.add_widgets(*_events(domains))
        self.dashboard.add_widgets(*_database(clusters, max_capacity))
        present = {service.declaration.name for service in domains}
        if SERVICES_UNHEALTHY.domain in present:
            self.dashboard.add_widgets(
                _graph("Services checked (sum), unhealthy (most in a sweep)", [SERVICES_CHECKED], [SERVICES_UNHEALTHY])
            )
        if JOBS_STALLED.domain in present:
            self.dashboard.add_widgets(
                _graph(
                    "Jobs polled and their transitions (sum), jobs stalled (most in a poll)",
                    [JOBS_POLLED, JOB_TRANSITIONS],
                    [JOBS_STALLED],
                )
            )
        # the monitoring domain's figures, from the events it aggregates
        self.dashboard.add_widgets(
            _graph("Jobs completed and failed", [JOBS_COMPLETED, JOBS_FAILED], [], width=8),
            cloudwatch.GraphWidget(
                title="Job turnaround (s)",
                left=[
                    TURNAROUND_SECONDS.metric(DASHBOARD_PERIOD, statistic).with_(label=label)
                    for statistic, label in ((cloudwatch.Stats.p(50), "p50"), (cloudwatch.Stats.p(95), "p95"))
                ],
                width=8,
                height=DASHBOARD_WIDGET_HEIGHT,
            ),
            _graph("Services down", [SERVICES_DOWN], [], width=8),
        )


def _graph(
    title: str, left: Sequence[ReportedMetric], right: Sequence[ReportedMetric], width: int = GRID_WIDTH
) -> cloudwatch.GraphWidget:
    return cloudwatch.GraphWidget(
        title=title,
        left=[reported.metric(DASHBOARD_PERIOD).with_(label=reported.name) for reported in left],
        right=[reported.metric(DASHBOARD_PERIOD).with_(label=reported.name) for reported in right],
        width=width,
        height=DASHBOARD_WIDGET_HEIGHT,
    )


def _api(http_api: HttpApi) -> list[cloudwatch.IWidget]:
    total = cloudwatch.Stats.SUM
    return [
        cloudwatch.GraphWidget(
            title="API requests, 4xx and 5xx",
            left=[http_api.metric_count(period=DASHBOARD_PERIOD, statistic=total, label="requests")],
            right=[
                http_api.metric_client_error(period=DASHBOARD_PERIOD, statistic=total, label="4xx"),
                http_api.metric_server_error(period=DASHBOARD_PERIOD, statistic=total, label="5xx"),
            ],
            width=GRID_WIDTH // 2,
            height=DASHBOARD_WIDGET_HEIGHT,
        ),
        cloudwatch.GraphWidget(
            title="API latency (ms)",
            left=[
                http_api.metric_latency(period=DASHBOARD_PERIOD, statistic=cloudwatch.Stats.p(p), label=f"p{p}")
                for p in (50, 90, 99)
            ],
            width=GRID_WIDTH // 2,
            height=DASHBOARD_WIDGET_HEIGHT,
        ),
    ]


def _functions(owner: str, functions: Mapping[str, lambda_.IFunction]) -> list[cloudwatch.IWidget]:
    names = sorted(functions)
    total = cloudwatch.Stats.SUM
    return [
        cloudwatch.GraphWidget(
            title=f"{owner}: function errors (left) and throttles (right)",
            left=[functions[n].metric_errors(period=DASHBOARD_PERIOD, statistic=total, label=n) for n in names],
            right=[functions[n].metric_throttles(period=DASHBOARD_PERIOD, statistic=total, label=n) for n in names],
            width=GRID_WIDTH // 2,
            height=DASHBOARD_WIDGET_HEIGHT,
        ),
        cloudwatch.GraphWidget(
            title=f"{owner}: function duration p95 (ms)",
            left=[
                functions[n].metric_duration(period=DASHBOARD_PERIOD, statistic=cloudwatch.Stats.p(95), label=n)
                for n in names
            ],
            width=GRID_WIDTH // 2,
            height=DASHBOARD_WIDGET_HEIGHT,
        ),
    ]


def _events(domains: Sequence[DomainService]) -> list[cloudwatch.IWidget]:
    most = cloudwatch.Stats.MAXIMUM
    waiting = [
        domain_metric(service.declaration.name, OLDEST_WAITING_METRIC, most, DASHBOARD_PERIOD).with_(
            label=service.declaration.name
        )
        for service in domains
        if service.declaration.publishes
    ]
    dead_letters = [
        service.dead_letters.metric_approximate_number_of_messages_visible(
            period=DASHBOARD_PERIOD, statistic=most, label=f"{service.declaration.name} dead letters"
        )
        for service in domains
        if service.dead_letters is not None
    ]
    quarantined = [
        domain_metric(service.declaration.name, QUARANTINED_METRIC, cloudwatch.Stats.SUM, DASHBOARD_PERIOD).with_(
            label=f"{service.declaration.name} quarantined"
        )
        for service in domains
        if service.declaration.subscriptions
    ]
    return [
        cloudwatch.GraphWidget(
            title="Oldest event waiting in each outbox (s)",
            left=waiting,
            width=GRID_WIDTH // 2,
            height=DASHBOARD_WIDGET_HEIGHT,
        ),
        cloudwatch.GraphWidget(
            title="Dead letters (left) and quarantined events (right)",
            left=dead_letters,
            right=quarantined,
            width=GRID_WIDTH // 2,
            height=DASHBOARD_WIDGET_HEIGHT,
        ),
    ]


def _database(clusters: Mapping[str, rds.DatabaseCluster], max_capacity: float) -> list[cloudwatch.IWidget]:
    most = cloudwatch.Stats.MAXIMUM
    return [
        cloudwatch.GraphWidget(
            title=f"Aurora capacity (ACU, left; of its {max_capacity:g} ACU maximum, right)",
            left=[
                cluster.metric_serverless_database_capacity(period=DASHBOARD_PERIOD, statistic=most, label=identifier)
                for identifier, cluster in clusters.items()
            ],
            right=[
                cluster.metric_acu_utilization(period=DASHBOARD_PERIOD, statistic=most, label=f"{identifier} %")
                for identifier, cluster in clusters.items()
            ],
            left_annotations=[
                cloudwatch.HorizontalAnnotation(value=max_capacity, label="maximum ACU"),
                cloudwatch.HorizontalAnnotation(
                    value=DATABASE_CAPACITY_ALARM_FRACTION * max_capacity, label="alarm", color=cloudwatch.Color.RED
                ),
            ],
            width=GRID_WIDTH // 2,
            height=DASHBOARD_WIDGET_HEIGHT,
        ),
        cloudwatch.GraphWidget(
            title="Database connections",
            left=[
                cluster.metric_database_connections(period=DASHBOARD_PERIOD, statistic=most, label=identifier)
                for identifier, cluster in clusters.items()
            ],
            width=GRID_WIDTH // 2,
            height=DASHBOARD_WIDGET_HEIGHT,
        ),
    ]

"""The operators' dashboard shows every alarm and graphs what each alarm watches and what explains it: the
API, each function, the events between domains, the database, services' health, jobs and business figures."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fip_core.relay import OLDEST_WAITING_METRIC
from fip_core.settings import METRICS_NAMESPACE
from fip_core.subscribers import QUARANTINED_METRIC
from infra.profiles import DEFAULT_PROFILE, PROFILES
from tests.infra.template import Synthesised, each_domain, ref

pytestmark = pytest.mark.infra

# a graphed metric: namespace, name, and its dimensions as (name, value) pairs, values as the template has them
type Graphed = tuple[str, str, tuple[tuple[str, str], ...]]


@pytest.fixture(scope="module")
def dashboard(platform: Synthesised) -> dict[str, Any]:
    """The one dashboard's name and body, the template's references in it written as JSON text."""
    [resource] = platform.of_type("AWS::CloudWatch::Dashboard").values()
    parts = resource["Properties"]["DashboardBody"]["Fn::Join"][1]
    # a reference sits inside a JSON string of the body: write it there as its own JSON, quotes escaped
    text = "".join(part if isinstance(part, str) else json.dumps(token(part))[1:-1] for part in parts)
    return {"name": resource["Properties"]["DashboardName"], "body": json.loads(text)}


def token(value: Any) -> str:
    """A template reference as the dashboard body holds it."""
    return json.dumps(value, sort_keys=True)


def graphed(dashboard: dict[str, Any], title_part: str = "") -> set[Graphed]:
    """Every metric graphed on the dashboard (on widgets whose title contains `title_part`)."""
    found: set[Graphed] = set()
    for widget in dashboard["body"]["widgets"]:
        properties = widget["properties"]
        if widget["type"] != "metric" or title_part not in properties.get("title", ""):
            continue
        for metric in properties["metrics"]:
            fields = [field for field in metric if not isinstance(field, dict)]
            namespace, name, *dimensions = fields
            found.add((namespace, name, tuple(zip(dimensions[::2], dimensions[1::2], strict=True))))
    return found


def test_the_dashboard_is_named_for_its_environment(dashboard):
    assert dashboard["name"] == "fip-dev-operations"


def test_every_alarm_shows_its_state_on_the_dashboard(platform, dashboard):
    shown = [
        alarm
        for widget in dashboard["body"]["widgets"]
        if widget["type"] == "alarm"
        for alarm in widget["properties"]["alarms"]
    ]
    alarms = platform.of_type("AWS::CloudWatch::Alarm")
    assert len(alarms) >= 25
    assert sorted(shown) == sorted(token({"Fn::GetAtt": [logical_id, "Arn"]}) for logical_id in alarms)


def test_the_apis_requests_errors_and_latency_are_graphed(platform, dashboard):
    api = (("ApiId", token(ref(platform.id_of(platform.stack.api.http_api)))),)
    assert {("AWS/ApiGateway", name, api) for name in ("Count", "4xx", "5xx", "Latency")} <= graphed(dashboard)


@each_domain
def test_each_function_s_errors_throttles_and_duration_are_graphed_by_domain(platform, dashboard, domain):
    service = platform.service(domain)
    shown = graphed(dashboard, f"{domain.name}: ")
    for declared in domain.functions:
        function = (("FunctionName", token(ref(platform.id_of(service.function(declared.name))))),)
        for metric in ("Errors", "Throttles", "Duration"):
            assert ("AWS/Lambda", metric, function) in shown, (declared.name, metric)


@each_domain
def test_each_domain_s_outbox_dead_letters_and_quarantine_are_graphed(platform, dashboard, domain):
    service = platform.service(domain)
    shown = graphed(dashboard)
    ours = (("service", domain.name),)
    assert ((METRICS_NAMESPACE, OLDEST_WAITING_METRIC, ours) in shown) == bool(domain.publishes)
    assert ((METRICS_NAMESPACE, QUARANTINED_METRIC, ours) in shown) == bool(domain.subscriptions)
    if service.dead_letters is not None:
        queue = (("QueueName", token({"Fn::GetAtt": [platform.id_of(service.dead_letters), "QueueName"]})),)
        assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible", queue) in shown


def test_the_databases_capacity_is_graphed_against_the_profiles_maximum(platform, dashboard):
    [built] = platform.stack.databases.clusters.values()
    cluster = (("DBClusterIdentifier", token(ref(platform.id_of(built.cluster)))),)
    shown = graphed(dashboard, "Aurora capacity")
    assert {("AWS/RDS", "ServerlessDatabaseCapacity", cluster), ("AWS/RDS", "ACUUtilization", cluster)} <= shown
    [widget] = [w for w in dashboard["body"]["widgets"] if "Aurora capacity" in w["properties"].get("title", "")]
    lines = {line["label"]: line["value"] for line in widget["properties"]["annotations"]["horizontal"]}
    maximum = PROFILES[DEFAULT_PROFILE].database_max_capacity
    assert lines == {"maximum ACU": maximum, "alarm": pytest.approx(0.9 * maximum)}


@pytest.mark.parametrize(
    ("domain", "name"),
    [
        ("registry", "ServicesChecked"),  # the health sweep's
        ("registry", "ServicesUnhealthy"),
        ("jobs", "JobsPolled"),  # the poll's
        ("jobs", "JobTransitions"),
        ("jobs", "JobsStalled"),
        ("monitoring", "JobsCompleted"),  # the business figures, from the monitoring domain
        ("monitoring", "JobsFailed"),
        ("monitoring", "TurnaroundSeconds"),
        ("monitoring", "ServicesDown"),
    ],
)
def test_the_domains_own_figures_are_graphed(dashboard, domain, name):
    assert (METRICS_NAMESPACE, name, (("service", domain),)) in graphed(dashboard)


def test_the_widgets_fit_the_grid(dashboard):
    for widget in dashboard["body"]["widgets"]:
        assert widget["x"] + widget["width"] <= 24, widget

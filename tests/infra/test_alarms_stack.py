"""Every failure the operators must hear of raises an alarm on one encrypted topic."""

from __future__ import annotations

import importlib
import inspect

import pytest

from fip_core.settings import METRICS_NAMESPACE
from infra.alarms import MATH_ALARM_MAX_METRICS, service_down_window
from infra.app import build_app
from infra.constants import ALARM_EMAIL_CONTEXT_KEY, DATABASE_CAPACITY_ALARM_FRACTION, SERVICE_DOWN_ALARM_MINUTES
from infra.domain_metrics import JOBS_STALLED, SERVICES_UNHEALTHY
from infra.domains import DOMAINS
from infra.profiles import DEFAULT_PROFILE, PROFILES
from tests.infra.template import (
    CDK_VARIABLES,
    alarms_on,
    arn,
    as_list,
    each_domain,
    math_alarms_on,
    notifies_the_topic,
    ref,
    synthesise,
)

pytestmark = pytest.mark.infra


# --- alarms --------------------------------------------------------------------------------------


@each_domain
@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_every_function_failing_or_throttled_raises_an_alarm_to_the_operators(platform, domain, metric):
    service = platform.service(domain)
    errors = math_alarms_on(platform, "AWS/Lambda", metric)
    for declared in domain.functions:
        function = ref(platform.id_of(service.function(declared.name)))
        watching = [alarm for alarm in errors if [{"Name": "FunctionName", "Value": function}] in alarm["watched"]]
        assert len(watching) == 1, declared.name
        alarm = watching[0]
        assert declared.name in alarm["AlarmDescription"]
        expression = next(query for query in alarm["Metrics"] if "Expression" in query)
        assert (expression["Expression"], expression["ReturnData"]) == ("SUM(METRICS())", True)
        assert len(alarm["watched"]) <= MATH_ALARM_MAX_METRICS
        for query in alarm["Metrics"]:
            if "MetricStat" in query:
                assert (query["MetricStat"]["Stat"], query["MetricStat"]["Period"]) == ("Sum", 300)
                assert query["ReturnData"] is False
        assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")
        assert alarm["TreatMissingData"] == "notBreaching"
        assert notifies_the_topic(platform, alarm)


@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_the_platforms_own_function_failing_or_throttled_raises_an_alarm(platform, metric):
    catch_all = ref(platform.id_of(platform.stack.catch_all.function))
    watching = [
        alarm
        for alarm in math_alarms_on(platform, "AWS/Lambda", metric)
        if [{"Name": "FunctionName", "Value": catch_all}] in alarm["watched"]
    ]
    assert len(watching) == 1
    assert notifies_the_topic(platform, watching[0])


@each_domain
def test_a_dead_letter_raises_an_alarm_to_the_operators(platform, domain):
    service = platform.service(domain)
    if not (domain.schedules or domain.subscriptions):
        assert service.dead_letters is None
        return
    assert service.dead_letters is not None
    queue = {"Fn::GetAtt": [platform.id_of(service.dead_letters), "QueueName"]}
    watching = [
        alarm
        for alarm in alarms_on(platform, "AWS/SQS", "ApproximateNumberOfMessagesVisible")
        if alarm["Dimensions"] == [{"Name": "QueueName", "Value": queue}]
    ]
    assert len(watching) == 1
    assert (watching[0]["Statistic"], watching[0]["Threshold"]) == ("Maximum", 1)
    assert notifies_the_topic(platform, watching[0])


def test_the_apis_server_errors_raise_an_alarm(platform):
    api = ref(platform.id_of(platform.stack.api.http_api))
    watching = [
        alarm
        for alarm in alarms_on(platform, "AWS/ApiGateway", "5xx")
        if alarm["Dimensions"] == [{"Name": "ApiId", "Value": api}]
    ]
    assert len(watching) == 1
    assert watching[0]["Statistic"] == "Sum"
    assert notifies_the_topic(platform, watching[0])


def test_the_database_near_its_profiles_maximum_capacity_raises_an_alarm(platform):
    # the tests synthesise the default profile: one cluster, at most 4 ACU
    (identifier, built), *others = platform.stack.databases.clusters.items()
    assert others == []
    cluster = ref(platform.id_of(built.cluster))
    [alarm] = [
        alarm
        for alarm in alarms_on(platform, "AWS/RDS", "ServerlessDatabaseCapacity")
        if alarm["Dimensions"] == [{"Name": "DBClusterIdentifier", "Value": cluster}]
    ]
    maximum = PROFILES[DEFAULT_PROFILE].database_max_capacity
    assert alarm["Threshold"] == pytest.approx(DATABASE_CAPACITY_ALARM_FRACTION * maximum) == pytest.approx(3.6)
    assert (alarm["Statistic"], alarm["Period"], alarm["ComparisonOperator"]) == (
        "Maximum",
        300,
        "GreaterThanOrEqualToThreshold",
    )
    assert (alarm["DatapointsToAlarm"], alarm["EvaluationPeriods"]) == (3, 3)  # a quarter of an hour at the ceiling
    assert identifier in alarm["AlarmDescription"]
    assert notifies_the_topic(platform, alarm)


def test_a_service_down_for_an_hour_raises_an_alarm_from_the_registrys_sweep(platform):
    [alarm] = alarms_on(platform, METRICS_NAMESPACE, SERVICES_UNHEALTHY.name)
    assert alarm["Dimensions"] == [{"Name": "service", "Value": "registry"}]
    # the standard profile sweeps every 5 minutes: periods of 15, down in 4 of the last 5
    assert (alarm["Statistic"], alarm["Period"], alarm["Threshold"]) == ("Maximum", 900, 1)
    assert (alarm["DatapointsToAlarm"], alarm["EvaluationPeriods"]) == (4, 5)
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["TreatMissingData"] == "notBreaching"
    assert notifies_the_topic(platform, alarm)


@pytest.mark.parametrize(
    ("sweep_minutes", "window"),
    [
        (5, (15, 4, 5)),  # standard: a failing service is re-checked at least every 10 minutes
        (1, (15, 4, 5)),
        (30, (30, 2, 3)),
        (60, (60, 2, 3)),  # small: one sweep an hour, and never a single failed check
        (90, (90, 2, 3)),
    ],
)
def test_the_service_down_window_covers_the_threshold_with_one_period_to_spare(sweep_minutes, window):
    minutes, down, looked_at = service_down_window(sweep_minutes)
    assert (minutes, down, looked_at) == window
    assert down * minutes >= SERVICE_DOWN_ALARM_MINUTES
    assert minutes * looked_at <= 24 * 60  # CloudWatch evaluates at most a day of periods this long


def test_jobs_stalled_raise_an_alarm_from_the_jobs_poll(platform):
    [alarm] = alarms_on(platform, METRICS_NAMESPACE, JOBS_STALLED.name)
    assert alarm["Dimensions"] == [{"Name": "service", "Value": "jobs"}]
    assert (alarm["Statistic"], alarm["Period"], alarm["Threshold"]) == ("Maximum", 300, 1)
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert notifies_the_topic(platform, alarm)


@pytest.mark.parametrize("reported", [SERVICES_UNHEALTHY, JOBS_STALLED])
def test_the_metrics_alarmed_on_are_reported_by_a_scheduled_function_of_their_domain(reported):
    declaration = next(domain for domain in DOMAINS if domain.name == reported.domain)
    assert [schedule.function for schedule in declaration.schedules].count(reported.function) == 1
    [function] = [function for function in declaration.functions if function.name == reported.function]
    module = importlib.import_module(function.handler.rsplit(".", 1)[0])
    assert f'name="{reported.name}"' in inspect.getsource(module)


def test_the_alarm_topic_is_encrypted_with_a_key_cloudwatch_may_use_and_refuses_plain_http(platform):
    alarms = platform.stack.alarms
    topic = platform.resources[platform.id_of(alarms.topic)]["Properties"]
    key_id = platform.id_of(alarms.key)
    assert topic["KmsMasterKeyId"] == arn(key_id)
    key = platform.resources[key_id]["Properties"]
    assert key["EnableKeyRotation"] is True
    cloudwatch_statements = [
        statement
        for statement in key["KeyPolicy"]["Statement"]
        if statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    ]
    assert {action for statement in cloudwatch_statements for action in as_list(statement["Action"])} == {
        "kms:Decrypt",
        "kms:GenerateDataKey*",
    }
    policies = [
        policy["Properties"]["PolicyDocument"]["Statement"]
        for policy in platform.of_type("AWS::SNS::TopicPolicy").values()
        if policy["Properties"]["Topics"] == [ref(platform.id_of(alarms.topic))]
    ]
    assert any(
        statement["Effect"] == "Deny" and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for statements in policies
        for statement in statements
    )
    assert "AlarmTopicArn" in platform.template.to_json()["Outputs"]


def test_no_one_is_subscribed_unless_an_address_is_given(platform, tmp_path, monkeypatch):
    assert platform.of_type("AWS::SNS::Subscription") == {}
    for variable in CDK_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    app, stack = build_app(str(tmp_path / "cdk.out"), context={ALARM_EMAIL_CONTEXT_KEY: "ops@example.org"})
    subscribed = synthesise(app, stack)
    subscriptions = list(subscribed.of_type("AWS::SNS::Subscription").values())
    assert [(s["Properties"]["Protocol"], s["Properties"]["Endpoint"]) for s in subscriptions] == [
        ("email", "ops@example.org")
    ]
    assert subscriptions[0]["Properties"]["TopicArn"] == ref(subscribed.id_of(stack.alarms.topic))

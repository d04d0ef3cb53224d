"""Every failure the operators must hear of raises an alarm on one encrypted topic."""

from __future__ import annotations

import pytest

from infra.alarms import MATH_ALARM_MAX_METRICS
from infra.app import build_app
from infra.constants import ALARM_EMAIL_CONTEXT_KEY
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
def test_every_function_failing_raises_an_alarm_to_the_operators(platform, domain):
    service = platform.service(domain)
    errors = math_alarms_on(platform, "AWS/Lambda", "Errors")
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


def test_the_platforms_own_function_failing_raises_an_alarm(platform):
    catch_all = ref(platform.id_of(platform.stack.catch_all.function))
    watching = [
        alarm
        for alarm in math_alarms_on(platform, "AWS/Lambda", "Errors")
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

"""The platform's email in the CDK app, with a sender configured: every email sent through the SES
identity, Cognito's included, goes with the platform's configuration set; its bounce and complaint
events go to an encrypted SNS topic that only SES may publish to, for that set alone; the
notifications domain's `ses-feedback` function, and no other, is subscribed to it (invoked
asynchronously: retried, then sent to the domain's dead-letter queue). Without a sender there is none
of it, and the functions are told so."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.app import build_app
from infra.mail import PlatformMail
from notifications.declaration import DECLARATION as NOTIFICATIONS
from notifications.declaration import MAIL
from tests.infra.template import CDK_VARIABLES, Synthesised, arn, as_list, ref, synthesise

pytestmark = pytest.mark.infra
SENDER = "no-reply@mail.example.org"


@pytest.fixture(scope="module")
def mailing(tmp_path_factory: pytest.TempPathFactory) -> Synthesised:
    """The shipped platform as the second deploy of a mail sender makes it."""
    with pytest.MonkeyPatch.context() as patch:
        for variable in CDK_VARIABLES:
            patch.delenv(variable, raising=False)
        app, stack = build_app(str(tmp_path_factory.mktemp("cdk.out")), {"mail_from": SENDER, "mail_verified": "true"})
        return synthesise(app, stack)


def _only(platform: Synthesised, kind: str) -> tuple[str, dict[str, Any]]:
    (found,) = platform.of_type(kind).items()
    return found


def _function_id(platform: Synthesised, name: str) -> str:
    return platform.id_of(platform.service(NOTIFICATIONS).function(name))


def _mail(platform: Synthesised) -> PlatformMail:
    assert platform.stack.mail is not None
    return platform.stack.mail


def _configuration_set_arn(platform: Synthesised) -> str:
    return json.dumps(platform.stack.resolve(_mail(platform).configuration_set_arn))


def test_every_email_goes_with_the_platforms_configuration_set(mailing):
    configuration_set, _ = _only(mailing, "AWS::SES::ConfigurationSet")
    _, identity = _only(mailing, "AWS::SES::EmailIdentity")
    # the identity's default set: sends that name none (Cognito's) are tracked too
    assert identity["Properties"]["ConfigurationSetAttributes"] == {"ConfigurationSetName": ref(configuration_set)}
    _, pool = _only(mailing, "AWS::Cognito::UserPool")
    assert pool["Properties"]["EmailConfiguration"]["ConfigurationSet"] == ref(configuration_set)
    for function in NOTIFICATIONS.functions:
        variables = mailing.resources[_function_id(mailing, function.name)]["Properties"]["Environment"]["Variables"]
        assert variables["NOTIFICATIONS_MAIL_CONFIGURATION_SET"] == ref(configuration_set), function.name
        assert variables["NOTIFICATIONS_MAIL_SENDER"] == SENDER


def test_bounces_and_complaints_go_to_an_encrypted_topic_only_ses_publishes_to_for_that_set(mailing):
    configuration_set, _ = _only(mailing, "AWS::SES::ConfigurationSet")
    topic = mailing.id_of(_mail(mailing).feedback_topic)
    _, destination = _only(mailing, "AWS::SES::ConfigurationSetEventDestination")
    assert destination["Properties"]["ConfigurationSetName"] == ref(configuration_set)
    assert destination["Properties"]["EventDestination"] == {
        "Enabled": True,
        "MatchingEventTypes": ["bounce", "complaint"],
        "SnsDestination": {"TopicARN": ref(topic)},
    }
    key_id = mailing.resources[topic]["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]
    key = mailing.resources[key_id]["Properties"]
    assert key["EnableKeyRotation"] is True
    set_arn = _configuration_set_arn(mailing)
    [ses_may_use] = [s for s in key["KeyPolicy"]["Statement"] if s["Principal"] == {"Service": "ses.amazonaws.com"}]
    assert sorted(as_list(ses_may_use["Action"])) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert json.dumps(ses_may_use["Condition"]["StringEquals"]["aws:SourceArn"]) == set_arn
    [policy] = [
        p for p in mailing.of_type("AWS::SNS::TopicPolicy").values() if p["Properties"]["Topics"] == [ref(topic)]
    ]
    allowed = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert [s["Principal"] for s in allowed] == [{"Service": "ses.amazonaws.com"}]
    assert json.dumps(allowed[0]["Condition"]["StringEquals"]["AWS:SourceArn"]) == set_arn
    denied = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
    assert [s["Condition"] for s in denied] == [{"Bool": {"aws:SecureTransport": "false"}}]


def test_the_ses_feedback_function_alone_hears_of_them_and_failures_go_to_the_dead_letters(mailing):
    assert MAIL.notified() == ("ses-feedback",)
    topic = ref(mailing.id_of(_mail(mailing).feedback_topic))
    feedback = _function_id(mailing, "ses-feedback")
    subscriptions = [s["Properties"] for s in mailing.of_type("AWS::SNS::Subscription").values()]
    assert [s for s in subscriptions if s["TopicArn"] == topic] == [
        {"Endpoint": arn(feedback), "Protocol": "lambda", "TopicArn": topic}
    ]
    permissions = [
        p["Properties"]
        for p in mailing.of_type("AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == arn(feedback)
    ]
    assert [(p["Principal"], p["SourceArn"]) for p in permissions] == [("sns.amazonaws.com", topic)]
    [retries] = [
        c["Properties"]
        for c in mailing.of_type("AWS::Lambda::EventInvokeConfig").values()
        if c["Properties"]["FunctionName"] == ref(feedback)
    ]
    assert "OnFailure" in retries["DestinationConfig"]
    # no longer an internal function an operator invokes by hand
    assert "SesFeedbackFunctionName" not in mailing.template.to_json()["Outputs"]


def test_without_a_sender_there_is_no_configuration_set_and_the_functions_are_told_none(platform):
    assert platform.of_type("AWS::SES::ConfigurationSet") == {}
    assert [
        s for s in platform.of_type("AWS::SNS::Subscription").values() if s["Properties"]["Protocol"] == "lambda"
    ] == []
    variables = platform.resources[_function_id(platform, "on-event")]["Properties"]["Environment"]["Variables"]
    assert (variables["NOTIFICATIONS_MAIL_SENDER"], variables["NOTIFICATIONS_MAIL_CONFIGURATION_SET"]) == ("", "")

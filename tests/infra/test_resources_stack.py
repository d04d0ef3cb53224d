"""The resources, AWS events and calls a domain declares, synthesised with the real domains: the test
domain `intake` (tests/support/intake_domain.py) beside the users and registry domains, with a web
origin and a verified mail sender. Its bucket is private, encrypted, TLS only, expiring and open to
browsers on the web origin alone; its functions may do with it what the declaration says and no
more; S3's `Object Created` events reach its subscriber through a rule on the default bus and the
registry's events through the platform's bus; it may invoke the users domain's `credentials`
function and nothing else may; it sends mail from the platform's sender alone."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk.assertions import Annotations, Match

from fip_core.platform_events import ServiceHealthChanged
from infra.bucket import DomainBucket
from infra.bundling import PlatformAssets, prepare_assets
from infra.compliance import solutions_checks
from infra.constants import FEATURE_FLAGS
from infra.domains import DOMAINS
from infra.mail import DomainSender
from infra.resources.bucket import OBJECT_ACTIONS
from infra.stack import PlatformStack
from tests.infra.template import (
    CDK_VARIABLES,
    ENVIRONMENT,
    Synthesised,
    arn,
    as_list,
    assert_subscription_rules,
    granted_by_role,
    ref,
    resource_variables,
    synthesise,
)
from tests.support import intake_domain
from tests.support.intake_domain import INBOX, MAIL, IntakeSettings

pytestmark = pytest.mark.infra

ORIGIN = "https://imputation.example.org"
SENDER = "no-reply@mail.example.org"


@pytest.fixture(scope="module")
def intake(tmp_path_factory: pytest.TempPathFactory) -> Synthesised:
    """The platform with the intake domain, a web origin and a verified sender, cdk-nag included."""
    built = prepare_assets(DOMAINS)
    # the intake domain's code is never run here: any package will do for synthesis
    assets = PlatformAssets(
        built.core_layer,
        built.dependency_layer,
        {**built.domain_code, "intake": built.domain_code["registry"]},
        built.catch_all_code,
    )
    with pytest.MonkeyPatch.context() as patch:
        for variable in CDK_VARIABLES:
            patch.delenv(variable, raising=False)
        app = App(outdir=str(tmp_path_factory.mktemp("intake.cdk.out")), context=dict(FEATURE_FLAGS))
        stack = PlatformStack(
            app,
            "intake",
            domains=intake_domain.PLATFORM,
            assets=assets,
            environment=ENVIRONMENT,
            mail_from=SENDER,
            mail_verified=True,
            web_origins=(ORIGIN,),
        )
        return synthesise(app, stack)


def _service(intake: Synthesised) -> Any:
    return intake.service(intake_domain.DECLARATION)


def _bucket(intake: Synthesised) -> tuple[str, dict[str, Any]]:
    logical_id = intake.id_of(_service(intake).resource(INBOX.name).bucket)
    return logical_id, intake.resources[logical_id]


def _role(intake: Synthesised, function: str) -> str:
    return intake.id_of(_service(intake).functions[function].role)


def test_no_unacknowledged_cdk_nag_finding(intake):
    report = solutions_checks().validate_scope(intake.stack)
    assert report.success, [v.rule_name for v in report.violations]


def test_the_bucket_is_encrypted_private_owned_and_kept(intake):
    _, bucket = _bucket(intake)
    properties = bucket["Properties"]
    encryption = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption == [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
    assert properties["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"), True
    )
    assert properties["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert "VersioningConfiguration" not in properties
    assert bucket["DeletionPolicy"] == bucket["UpdateReplacePolicy"] == "Retain"


def test_the_bucket_refuses_plain_http_and_old_tls(intake):
    logical_id, _ = _bucket(intake)
    (policy,) = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in intake.of_type("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == ref(logical_id)
    ]
    denials = [statement["Condition"] for statement in policy if statement["Effect"] == "Deny"]
    assert {"Bool": {"aws:SecureTransport": "false"}} in denials
    assert {"NumericLessThan": {"s3:TlsVersion": 1.2}} in denials


def test_objects_expire_after_the_retention_and_abandoned_uploads_are_cleared(intake):
    _, bucket = _bucket(intake)
    (rule,) = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled"
    assert rule["ExpirationInDays"] == INBOX.retention_days == 7
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": INBOX.abandoned_upload_days}


def test_browsers_on_the_web_origin_alone_may_put_and_read_each_parts_etag(intake):
    _, bucket = _bucket(intake)
    (rule,) = bucket["Properties"]["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedOrigins"] == [ORIGIN]
    assert sorted(rule["AllowedMethods"]) == ["GET", "HEAD", "PUT"]
    assert rule["ExposedHeaders"] == ["ETag"]
    assert "*" not in rule["AllowedHeaders"]


def test_the_bucket_logs_its_access_into_the_stacks_log_bucket(intake):
    _, bucket = _bucket(intake)
    logging = bucket["Properties"]["LoggingConfiguration"]
    assert logging["LogFilePrefix"] == "intake/inbox/"
    logs = intake.resources[logging["DestinationBucketName"]["Ref"]]
    assert logs["Properties"]["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == 90
    assert logs["Properties"]["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True


def test_each_function_may_do_its_declared_uses_on_the_objects_alone(intake):
    logical_id, _ = _bucket(intake)
    objects = {"Fn::Join": ["", [arn(logical_id), "/*"]]}
    assert granted_by_role(intake, objects, "s3") == {
        _role(intake, "api"): set(OBJECT_ACTIONS["presign"]),
        _role(intake, "on-upload"): {"s3:GetObject"},
    }
    # nothing names the bucket itself (no listing, no changing its settings)
    assert granted_by_role(intake, arn(logical_id), "s3") == {}


def test_s3s_object_created_events_reach_the_subscriber_through_the_default_bus(intake):
    logical_id, bucket = _bucket(intake)
    assert bucket["Properties"]["NotificationConfiguration"] == {
        "EventBridgeConfiguration": {"EventBridgeEnabled": True}
    }
    on_upload = arn(intake.id_of(_service(intake).function("on-upload")))
    (rule,) = [
        r["Properties"]
        for r in intake.of_type("AWS::Events::Rule").values()
        if any(target["Arn"] == on_upload for target in r["Properties"]["Targets"])
    ]
    assert "EventBusName" not in rule  # the default bus, where AWS services send their events
    assert rule["EventPattern"] == {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [ref(logical_id)]}},
    }
    (target,) = rule["Targets"]
    assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    assert target["DeadLetterConfig"]["Arn"] == arn(intake.id_of(_service(intake).dead_letters))


def test_the_registrys_health_changes_reach_the_subscriber_through_the_platform_bus(intake):
    (subscription,) = intake_domain.DECLARATION.subscriptions
    assert (subscription.detail_types, subscription.sources) == ((ServiceHealthChanged.name,), ("fip.registry",))
    assert_subscription_rules(intake, _service(intake), intake_domain.DECLARATION.subscriptions)


def test_functions_are_told_the_variables_the_domains_settings_read(intake, monkeypatch):
    told = resource_variables(intake, intake_domain.DECLARATION)
    configuration_set = ref(intake.id_of(intake.stack.mail.configuration_set))
    assert told == {
        "INTAKE_INBOX_BUCKET": ref(_bucket(intake)[0]),
        "INTAKE_MAIL_SENDER": SENDER,
        "INTAKE_MAIL_CONFIGURATION_SET": configuration_set,
    }
    for declared in intake_domain.DECLARATION.functions:
        function = intake.resources[intake.id_of(_service(intake).function(declared.name))]["Properties"]
        assert told.items() <= function["Environment"]["Variables"].items(), declared.name
    monkeypatch.setenv("INTAKE_INBOX_BUCKET", "the-bucket")
    monkeypatch.setenv("INTAKE_MAIL_SENDER", SENDER)
    assert (IntakeSettings().inbox_bucket, IntakeSettings().mail_sender) == ("the-bucket", SENDER)


def test_the_declared_caller_alone_may_invoke_the_users_credentials_function(intake):
    users = intake.service(intake_domain.PLATFORM[0])
    credentials = users.function("credentials")
    target = arn(intake.id_of(credentials))
    invokers = {
        role["Ref"]
        for policy in intake.of_type("AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if "lambda:InvokeFunction" in as_list(statement["Action"])
        and any(target == resource or target in as_list(resource) for resource in as_list(statement["Resource"]))
        for role in policy["Properties"]["Roles"]
    }
    assert invokers == {_role(intake, "api")}
    permissions = intake.of_type("AWS::Lambda::Permission").values()
    assert [p for p in permissions if p["Properties"]["FunctionName"] in (target, ref(intake.id_of(credentials)))] == []
    api = intake.resources[intake.id_of(_service(intake).function("api"))]["Properties"]
    assert api["Environment"]["Variables"]["INTAKE_USERS_CREDENTIALS_FUNCTION_NAME"] == ref(intake.id_of(credentials))
    on_upload = intake.resources[intake.id_of(_service(intake).function("on-upload"))]["Properties"]
    assert "INTAKE_USERS_CREDENTIALS_FUNCTION_NAME" not in on_upload["Environment"]["Variables"]


def test_the_sender_sends_from_the_platforms_address_through_its_identity_and_configuration_set_alone(intake):
    statements = [
        (policy["Properties"]["Roles"], statement)
        for policy in intake.of_type("AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if any(str(action).startswith("ses:Send") for action in as_list(statement["Action"]))
    ]
    assert [roles for roles, _ in statements] == [[ref(_role(intake, "on-upload"))]]
    (_, statement) = statements[0]
    assert sorted(as_list(statement["Action"])) == ["ses:SendEmail", "ses:SendRawEmail"]
    assert statement["Condition"] == {"StringEquals": {"ses:FromAddress": SENDER}}
    resources = sorted(str(intake.stack.resolve(resource)) for resource in statement["Resource"])
    configuration_set = intake.id_of(intake.stack.mail.configuration_set)
    assert resources[0].endswith(f":configuration-set/', {{'Ref': '{configuration_set}'}}]]}}")
    assert resources[1].endswith(":identity/mail.example.org']]}")


def test_without_a_web_origin_or_a_sender_the_cdk_says_what_to_configure():
    stack = Stack(App(context=dict(FEATURE_FLAGS)), "Unconfigured")
    DomainBucket(stack, "Inbox", domain="intake", spec=INBOX, web_origins=())
    sender = DomainSender(stack, "Mail", domain="intake", spec=MAIL, mail=None)
    annotations = Annotations.from_stack(stack)
    annotations.has_warning("*", Match.string_like_regexp("browsers cannot upload.*-c web_origin="))
    annotations.has_warning("*", Match.string_like_regexp("sends email, but no sender is configured.*-c mail_from="))
    assert sender.environment == {"INTAKE_MAIL_SENDER": "", "INTAKE_MAIL_CONFIGURATION_SET": ""}


def test_a_call_its_target_does_not_allow_is_refused_before_anything_is_built():
    one_sided = (DOMAINS[0], DOMAINS[1], intake_domain.DECLARATION)
    with pytest.raises(ValueError, match="intake/api calls users/credentials, whose callers"):
        PlatformStack(App(), "OneSided", domains=one_sided, assets=None, environment=ENVIRONMENT)  # type: ignore[arg-type]

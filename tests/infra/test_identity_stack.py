"""The identity parts of the CDK app: two-factor sign-in in the user pool, Cognito's mail through an
SES identity (`-c mail_from`, then `-c mail_verified=true`), and the /auth routes' own, lower
throttling at the HTTP API's stage."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Annotations, Match, Template

from fip_core.access import Access
from fip_core.declaration import HttpRoute, Throttle
from infra.app import build_app
from infra.constants import API_THROTTLE_BURST_LIMIT, API_THROTTLE_RATE_LIMIT
from infra.domains import DOMAINS
from infra.http_api import PlatformHttpApi
from infra.mail import COGNITO_MAIL_PRINCIPAL, PlatformMail
from infra.user_pool import DomainUserPool

pytestmark = pytest.mark.infra
SENDER = "no-reply@mail.example.org"
THROTTLED = [route for domain in DOMAINS for route in domain.routes if route.throttle is not None]


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The app's template as the second deploy of a mail sender makes it."""
    with pytest.MonkeyPatch.context() as patch:
        for variable in ("CDK_DEFAULT_ACCOUNT", "CDK_DEFAULT_REGION", "CDK_CONTEXT_JSON", "CDK_OUTDIR"):
            patch.delenv(variable, raising=False)
        app, stack = build_app(str(tmp_path_factory.mktemp("cdk.out")), {"mail_from": SENDER, "mail_verified": "true"})
        artifact = app.synth().get_stack_artifact(stack.artifact_id)
        return {"template": artifact.template, "stack": stack}


def of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {key: value for key, value in template["Resources"].items() if value["Type"] == kind}


def only(template: dict[str, Any], kind: str) -> tuple[str, dict[str, Any]]:
    (found,) = of_type(template, kind).items()
    return found


# --- two-factor sign-in ---------------------------------------------------------------------------


def test_the_pool_offers_authenticator_apps_and_nothing_by_text_message(deployed):
    _, pool = only(deployed["template"], "AWS::Cognito::UserPool")
    assert pool["Properties"]["MfaConfiguration"] == "OPTIONAL"
    assert pool["Properties"]["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    assert "SmsConfiguration" not in pool["Properties"]
    reasons = json.dumps(pool["Metadata"])
    assert "MFA (an authenticator app) is optional in the pool and required by the platform" in reasons


# --- mail through SES -----------------------------------------------------------------------------


def test_cognito_mails_through_the_ses_identity_of_the_senders_domain(deployed):
    template = deployed["template"]
    identity_id, identity = only(template, "AWS::SES::EmailIdentity")
    assert identity["Properties"]["EmailIdentity"] == "mail.example.org"
    _, pool = only(template, "AWS::Cognito::UserPool")
    email = pool["Properties"]["EmailConfiguration"]
    assert email["EmailSendingAccount"] == "DEVELOPER"
    assert email["From"] == f"Federated Imputation Platform <{SENDER}>"
    assert json.dumps(email["SourceArn"]).endswith(':identity/mail.example.org"]]}')
    dkim = [output for key, output in template["Outputs"].items() if key.startswith("MailDkimRecord")]
    assert len(dkim) == 3
    assert all(identity_id in json.dumps(output["Value"]) for output in dkim)


def test_cognito_may_send_as_the_identity_for_this_pool_only(deployed):
    template = deployed["template"]
    pool_id, _ = only(template, "AWS::Cognito::UserPool")
    identity_id, _ = only(template, "AWS::SES::EmailIdentity")
    (sending,) = of_type(template, "Custom::AWS").values()
    assert identity_id in sending["DependsOn"]
    create = json.dumps(sending["Properties"]["Create"])
    for expected in ("SESV2", "putEmailIdentityPolicy", COGNITO_MAIL_PRINCIPAL, "aws:SourceAccount", pool_id):
        assert expected in create, expected
    assert "deleteEmailIdentityPolicy" in json.dumps(sending["Properties"]["Delete"])
    statements = [
        statement
        for policy in of_type(template, "AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if any(str(action).startswith("ses:") for action in _as_list(statement["Action"]))
    ]
    assert [sorted(_as_list(statement["Action"])) for statement in statements] == [
        ["ses:DeleteEmailIdentityPolicy", "ses:PutEmailIdentityPolicy"]
    ]
    assert json.dumps(statements[0]["Resource"]).endswith(':identity/mail.example.org"]]}')


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _pool_with_mail(verified: bool | None) -> tuple[Stack, Template]:
    stack = Stack(App(), "Mail")
    mail = PlatformMail(stack, "Mail", sender=SENDER, verified=bool(verified)) if verified is not None else None
    pool = DomainUserPool(
        stack, "Pool", domain="users", environment="dev", email=mail.user_pool_email() if mail else None
    )
    if mail is not None:
        mail.let_send(pool, pool.pool)
    return stack, Template.from_stack(stack)


@pytest.mark.parametrize("verified", [None, False], ids=["no sender", "sender not verified yet"])
def test_until_ses_has_verified_the_domain_cognito_keeps_its_own_sender_and_says_so(verified):
    stack, template = _pool_with_mail(verified)
    pool = next(iter(template.find_resources("AWS::Cognito::UserPool").values()))
    assert "EmailConfiguration" not in pool["Properties"]  # Cognito would refuse an unverified identity
    template.resource_count_is("Custom::AWS", 0)
    template.resource_count_is("AWS::SES::EmailIdentity", 0 if verified is None else 1)
    Annotations.from_stack(stack).has_warning("*", Match.string_like_regexp("about 50 emails a day.*mail_verified"))


def test_a_sender_must_be_an_email_address():
    with pytest.raises(ValueError, match="mail_from must be an email address"):
        PlatformMail(Stack(App(), "Mail"), "Mail", sender="example.org", verified=False)


# --- throttling of the /auth routes ---------------------------------------------------------------


def test_every_auth_route_has_its_own_lower_throttle():
    auth = {route.route_key for domain in DOMAINS for route in domain.routes if route.path.startswith("/auth/")}
    assert auth
    assert {route.route_key for route in THROTTLED} >= auth
    for route in THROTTLED:
        assert route.throttle is not None
        assert route.throttle.rate_per_second < API_THROTTLE_RATE_LIMIT
        assert route.throttle.burst < API_THROTTLE_BURST_LIMIT


def test_the_stage_throttles_each_route_as_declared_once_the_route_exists(deployed):
    template = deployed["template"]
    _, stage = only(template, "AWS::ApiGatewayV2::Stage")
    settings = stage["Properties"]["RouteSettings"]
    assert settings == {
        route.route_key: {
            "ThrottlingRateLimit": route.throttle.rate_per_second,
            "ThrottlingBurstLimit": route.throttle.burst,
        }
        for route in THROTTLED
        if route.throttle is not None
    }
    routes = {
        route["Properties"]["RouteKey"]: key for key, route in of_type(template, "AWS::ApiGatewayV2::Route").items()
    }
    assert {routes[route_key] for route_key in settings} <= set(stage["DependsOn"])
    assert stage["Properties"]["DefaultRouteSettings"]["ThrottlingRateLimit"] == API_THROTTLE_RATE_LIMIT


def test_a_route_throttled_above_the_api_is_refused():
    stack = Stack(App(), "Api")
    api = PlatformHttpApi(stack, "Api", environment="dev")
    code = lambda_.Code.from_inline("def handler(event, context): pass")
    function = lambda_.Function(
        stack, "Function", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler", code=code
    )
    generous = Throttle(rate_per_second=API_THROTTLE_RATE_LIMIT + 1, burst=1)
    with pytest.raises(ValueError, match="below the API's"):
        api.add_lambda_routes(stack, function, [HttpRoute("POST", "/auth/sign-in", Access.PUBLIC, generous)])

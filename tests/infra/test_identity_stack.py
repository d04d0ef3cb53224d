"""The identity parts of the CDK app: the users domain's user pool (sign-in by email, the API's
password policy, leaked passwords refused, two-factor sign-in, a group per role, the admin calls
each function makes and no more) and credentials key (encrypting and decrypting by one function
each, with the encryption context the code sends), Cognito's mail through an SES identity
(`-c mail_from`, then `-c mail_verified=true`), and the /auth routes' own, lower throttling at the
HTTP API's stage."""

from __future__ import annotations

import inspect
import json
import re
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Annotations, Match, Template

from fip_core.access import Access, Role
from fip_core.declaration import DomainDeclaration, HttpRoute, Throttle
from fip_core.resources import EncryptionKeySpec, UserPoolSpec
from infra.app import build_app
from infra.constants import API_THROTTLE_BURST_LIMIT, API_THROTTLE_RATE_LIMIT
from infra.domains import DOMAINS
from infra.http_api import PlatformHttpApi
from infra.mail import COGNITO_MAIL_PRINCIPAL, PlatformMail
from infra.user_pool import DomainUserPool
from tests.infra.template import (
    ENVIRONMENT,
    Synthesised,
    actions_of,
    arn,
    as_list,
    declaring,
    granted_by_role,
    ref,
    resource_variables,
    spec_of,
    statements_naming,
    synthesise,
)
from users.adapters import cognito as cognito_adapter
from users.adapters.kms import CredentialCipher
from users.declaration import USER_POOL
from users.settings import PASSWORD_MIN_LENGTH, UsersSettings

pytestmark = pytest.mark.infra
SENDER = "no-reply@mail.example.org"
THROTTLED = [route for domain in DOMAINS for route in domain.routes if route.throttle is not None]


def _user_pool(platform: Synthesised, domain: DomainDeclaration) -> Any:
    return platform.service(domain).resource(spec_of(domain, UserPoolSpec).name)


def _key(platform: Synthesised, domain: DomainDeclaration) -> Any:
    return platform.service(domain).resource(spec_of(domain, EncryptionKeySpec).name)


with_user_pool = declaring(UserPoolSpec)
with_credentials_key = declaring(EncryptionKeySpec)


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The app's template as the second deploy of a mail sender makes it."""
    with pytest.MonkeyPatch.context() as patch:
        for variable in ("CDK_DEFAULT_ACCOUNT", "CDK_DEFAULT_REGION", "CDK_CONTEXT_JSON", "CDK_OUTDIR"):
            patch.delenv(variable, raising=False)
        app, stack = build_app(str(tmp_path_factory.mktemp("cdk.out")), {"mail_from": SENDER, "mail_verified": "true"})
        # the root's template and its nested stacks', as one
        return {"template": synthesise(app, stack).template.to_json(), "stack": stack}


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
        # the domains' functions that send mail as the platform are tests/infra/test_resources_stack.py's
        and not {"ses:SendEmail", "ses:SendRawEmail"} & set(_as_list(statement["Action"]))
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
        stack, "Pool", domain="users", environment="dev", spec=USER_POOL, email=mail.user_pool_email() if mail else None
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


# --- the user pool -------------------------------------------------------------------------------


@with_user_pool
def test_the_user_pool_signs_people_in_by_email_with_the_apis_password_policy(platform, domain):
    user_pool = _user_pool(platform, domain)
    resource = platform.resources[platform.id_of(user_pool.pool)]
    pool = resource["Properties"]
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False  # people sign up themselves
    assert pool["AccountRecoverySetting"] == {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]}
    assert pool["Policies"]["PasswordPolicy"] == {
        "MinimumLength": PASSWORD_MIN_LENGTH,
        "RequireLowercase": True,
        "RequireUppercase": True,
        "RequireNumbers": True,
        "RequireSymbols": False,
    }
    assert {"Name": "email", "Required": True, "Mutable": True} in pool["Schema"]
    assert (
        pool["MfaConfiguration"] == "OPTIONAL"
    )  # required of admins by the platform (tests/infra/test_identity_stack.py)
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    assert pool["DeletionProtection"] == "ACTIVE"
    assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"


@with_user_pool
def test_the_user_pool_refuses_leaked_passwords(platform, domain):
    user_pool = _user_pool(platform, domain)
    pool_id = platform.id_of(user_pool.pool)
    pool = platform.resources[pool_id]["Properties"]
    assert pool["UserPoolTier"] == "PLUS"
    assert pool["UserPoolAddOns"] == {"AdvancedSecurityMode": "ENFORCED"}
    (risk,) = [
        attachment["Properties"]
        for attachment in platform.of_type("AWS::Cognito::UserPoolRiskConfigurationAttachment").values()
        if attachment["Properties"]["UserPoolId"] == ref(pool_id)
    ]
    assert risk["ClientId"] == "ALL"
    compromised = risk["CompromisedCredentialsRiskConfiguration"]
    assert compromised["Actions"] == {"EventAction": "BLOCK"}
    assert set(compromised["EventFilter"]) == {"SIGN_IN", "SIGN_UP", "PASSWORD_CHANGE"}


@with_user_pool
def test_the_app_client_has_no_secret_and_signs_in_with_passwords_and_refresh_tokens(platform, domain):
    user_pool = _user_pool(platform, domain)
    clients = platform.of_type("AWS::Cognito::UserPoolClient")
    assert len(clients) == 1
    client = clients[platform.id_of(user_pool.client)]["Properties"]
    assert client["UserPoolId"] == ref(platform.id_of(user_pool.pool))
    assert client["GenerateSecret"] is False
    assert sorted(client["ExplicitAuthFlows"]) == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"]
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert client["EnableTokenRevocation"] is True
    assert client["AllowedOAuthFlowsUserPoolClient"] is False
    assert "CallbackURLs" not in client
    units = client["TokenValidityUnits"]
    assert (units["AccessToken"], client["AccessTokenValidity"]) == ("minutes", 60)
    assert (units["IdToken"], client["IdTokenValidity"]) == ("minutes", 60)
    assert (units["RefreshToken"], client["RefreshTokenValidity"]) == ("minutes", 30 * 24 * 60)


@with_user_pool
def test_the_user_pool_has_a_group_per_role(platform, domain):
    user_pool = _user_pool(platform, domain)
    groups = [group["Properties"] for group in platform.of_type("AWS::Cognito::UserPoolGroup").values()]
    assert sorted(group["GroupName"] for group in groups) == sorted(role.value for role in Role)
    for group in groups:
        assert group["UserPoolId"] == ref(platform.id_of(user_pool.pool))


@with_user_pool
def test_only_the_api_bootstrap_and_authorizer_functions_make_admin_calls_on_the_pool_alone(platform, domain):
    service = platform.service(domain)
    pool = arn(platform.id_of(_user_pool(platform, domain).pool))
    granted = granted_by_role(platform, pool, "cognito-idp")
    assert granted == {
        platform.id_of(service.functions["api"].role): {
            "cognito-idp:AdminAddUserToGroup",
            "cognito-idp:AdminRemoveUserFromGroup",
            "cognito-idp:AdminUserGlobalSignOut",
            "cognito-idp:AdminGetUser",
            "cognito-idp:AdminDisableUser",
            "cognito-idp:AdminEnableUser",
        },
        platform.id_of(service.functions["bootstrap-admin"].role): {
            "cognito-idp:AdminCreateUser",
            "cognito-idp:AdminSetUserPassword",
            "cognito-idp:AdminAddUserToGroup",
            "cognito-idp:AdminGetUser",
        },
        platform.id_of(service.functions["authorizer"].role): {"cognito-idp:AdminGetUser"},
    }
    # the declaration says it, and no statement elsewhere grants an admin call on anything else
    declared = spec_of(domain, UserPoolSpec).admin_calls
    assert set(granted) == {platform.id_of(service.functions[calls.function].role) for calls in declared}
    for policy in platform.of_type("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if actions_of(statement, "cognito-idp"):
                assert as_list(statement["Resource"]) == [pool], statement


def test_the_pool_admin_calls_granted_are_those_the_users_code_makes():
    # admin calls are the ones IAM governs; the others (sign_up, initiate_auth, ...) are public client calls
    calls = set(re.findall(r"_client\.(admin_\w+)\b", inspect.getsource(cognito_adapter)))
    actions = {"cognito-idp:" + "".join(part.capitalize() for part in call.split("_")) for call in calls}
    declared = {f"cognito-idp:{call}" for grant in USER_POOL.admin_calls for call in grant.calls}
    assert actions == declared


def test_the_users_settings_read_the_resource_variables(platform, monkeypatch):
    users = next(domain for domain in DOMAINS if domain.name == "users")
    told = resource_variables(platform, users)
    values = {"USERS_USER_POOL_ID": "pool", "USERS_CLIENT_ID": "client", "USERS_REGION": "eu-central-1"}
    values["USERS_CREDENTIALS_KEY_ID"] = "k"
    assert set(told) == set(values)  # every variable the kinds give, under the name the settings read
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings = UsersSettings()
    read = (settings.user_pool_id, settings.client_id, settings.region, settings.credentials_key_id)
    assert read == ("pool", "client", "eu-central-1", "k")


# --- the credentials key -------------------------------------------------------------------------


@with_credentials_key
def test_the_credentials_key_is_rotated_retained_and_aliased_per_stack(platform, domain):
    key = _key(platform, domain)
    key_id = platform.id_of(key.key)
    resource = platform.resources[key_id]
    assert resource["Properties"]["EnableKeyRotation"] is True
    assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"
    alias = platform.resources[platform.id_of(key.alias)]["Properties"]
    assert alias["TargetKeyId"] == arn(key_id)
    assert alias["AliasName"] == f"alias/fip-{ENVIRONMENT}-{domain.name}-{spec_of(domain, EncryptionKeySpec).name}"
    # the key policy grants nothing but the account's own IAM policies: the functions' roles below
    (statement,) = resource["Properties"]["KeyPolicy"]["Statement"]
    assert statement["Principal"]["AWS"]["Fn::Join"][1][-1] == ":root"


@with_credentials_key
def test_only_the_declared_functions_encrypt_and_decrypt_in_the_keys_context(platform, domain):
    """The users domain's key: its API encrypts, its credentials function decrypts; the jobs domain's:
    its submitters encrypt, its API decrypts; each only with the context its spec names."""
    spec = spec_of(domain, EncryptionKeySpec)
    service = platform.service(domain)
    key = arn(platform.id_of(_key(platform, domain).key))
    for _roles, statement in statements_naming(platform, key):
        if actions_of(statement, "kms") & {"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:ReEncryptFrom"}:
            assert statement["Condition"] == {
                "StringEquals": {"kms:EncryptionContext:purpose": spec.purpose},
                "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": list(spec.context_keys)},
            }
    granted = granted_by_role(platform, key, "kms")
    expected: dict[str, set[str]] = {}
    for actions, functions in (({"kms:Encrypt"}, spec.encrypt), ({"kms:Decrypt"}, spec.decrypt)):
        for function in functions:
            expected.setdefault(platform.id_of(service.functions[function].role), set()).update(actions)
    assert granted == expected
    if domain.name == "users":
        assert spec.purpose == "external-service-token"
        assert (spec.encrypt, spec.decrypt) == (("api",), ("credentials",))


def test_the_key_use_condition_is_the_encryption_context_the_users_code_sends(monkeypatch):
    sent: list[dict[str, Any]] = []

    class Kms:
        def encrypt(self, **request: Any) -> dict[str, Any]:
            sent.append(request)
            return {"CiphertextBlob": b"x"}

        def decrypt(self, **request: Any) -> dict[str, Any]:
            sent.append(request)
            return {"Plaintext": b"x"}

    monkeypatch.setattr("fip_core.kms.aws_client", lambda service: Kms())
    cipher = CredentialCipher("alias/key")
    cipher.encrypt("token", "user-1", "service-1")
    cipher.decrypt(b"x", "user-1", "service-1")
    for request in sent:
        assert request["EncryptionContext"]["purpose"] == "external-service-token"
        assert set(request["EncryptionContext"]) == {"purpose", "user_id", "service_id"}

"""A domain's Cognito user pool (`UserPoolSpec`, built by `infra.resources.user_pool`): the accounts
people sign in with, the app client the domain's API signs them in through, and a group for every role."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Annotations, Aws, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from constructs import Construct

from fip_core.resources import UserPoolSpec
from fip_core.settings import env_prefix
from infra.compliance import acknowledge
from infra.constants import (
    NAME_PREFIX,
    USER_POOL_ACCESS_TOKEN_VALIDITY,
    USER_POOL_FEATURE_PLAN,
    USER_POOL_ID_TOKEN_VALIDITY,
    USER_POOL_REFRESH_TOKEN_VALIDITY,
)

_Risk = cognito.CfnUserPoolRiskConfigurationAttachment
_COMPROMISED_CREDENTIALS_EVENTS = ["SIGN_IN", "SIGN_UP", "PASSWORD_CHANGE"]
_NO_ACTION = _Risk.AccountTakeoverActionTypeProperty(event_action="NO_ACTION", notify=False)


class DomainUserPool(Construct):
    """People sign up themselves with their email address as user name and confirm it with an emailed
    code; the domain's API signs them in with their password through an app client without a secret."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        domain: str,
        environment: str,
        spec: UserPoolSpec,
        email: cognito.UserPoolEmail | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.domain = domain
        self.spec = spec
        min_length = spec.password_min_length
        self.pool = cognito.UserPool(
            self,
            "Pool",
            user_pool_name=f"{NAME_PREFIX}-{environment}-{domain}",
            sign_in_aliases=cognito.SignInAliases(email=True),
            sign_in_case_sensitive=False,
            self_sign_up_enabled=True,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True),
                fullname=cognito.StandardAttribute(required=False, mutable=True),
            ),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            password_policy=cognito.PasswordPolicy(
                min_length=min_length,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=False,
            ),
            # optional in the pool, with authenticator apps only; the platform requires it of admins and service
            # admins (users.logic.roles, users.logic.authentication)
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(sms=False, otp=True),
            email=email,
            feature_plan=USER_POOL_FEATURE_PLAN,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(
            self.pool,
            "COG1",
            f"Passwords need at least {min_length} characters with lower and upper case "
            "letters and digits; symbols are not required, as NIST SP 800-63B advises against composition rules, "
            "and threat protection refuses passwords known to have leaked. The API validates the same policy.",
        )
        acknowledge(
            self.pool,
            "COG2",
            "MFA (an authenticator app) is optional in the pool and required by the platform where it matters: the "
            "admin and service_admin roles are granted only to accounts that use it, and the authorizer holds them "
            "back while it is off. Researchers may turn it on (/me/mfa); scripts use personal API tokens.",
        )
        if email is None:
            Annotations.of(self.pool).add_warning(
                "the pool sends its codes with Cognito's own sender, about 50 emails a day for the whole platform: "
                "deploy with -c mail_from=no-reply@your.domain, add the DKIM records it outputs, and once SES has "
                "verified the domain deploy again with -c mail_verified=true to send them through SES"
            )
        # Every request reaches Cognito from the functions' NAT gateway, and a client without a secret cannot
        # pass the caller's address on, so adaptive authentication would judge every sign-in by the same
        # address: it only counts. Leaked passwords do not depend on the address, and are refused.
        _Risk(
            self,
            "ThreatProtection",
            user_pool_id=self.pool.user_pool_id,
            client_id="ALL",
            compromised_credentials_risk_configuration=_Risk.CompromisedCredentialsRiskConfigurationTypeProperty(
                actions=_Risk.CompromisedCredentialsActionsTypeProperty(event_action="BLOCK"),
                event_filter=_COMPROMISED_CREDENTIALS_EVENTS,
            ),
            account_takeover_risk_configuration=_Risk.AccountTakeoverRiskConfigurationTypeProperty(
                actions=_Risk.AccountTakeoverActionsTypeProperty(
                    high_action=_NO_ACTION, medium_action=_NO_ACTION, low_action=_NO_ACTION
                )
            ),
        )
        self.client = self.pool.add_client(
            "ApiClient",
            user_pool_client_name=f"{NAME_PREFIX}-{environment}-{domain}-api",
            # a public client: the API signs people in with their password and refreshes their tokens
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_password=True),
            disable_o_auth=True,
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            access_token_validity=USER_POOL_ACCESS_TOKEN_VALIDITY,
            id_token_validity=USER_POOL_ID_TOKEN_VALIDITY,
            refresh_token_validity=USER_POOL_REFRESH_TOKEN_VALIDITY,
        )
        # The database holds the grants (scoped and expiring); unscoped roles are mirrored as groups.
        self.groups = {
            group: cognito.UserPoolGroup(
                self,
                f"Group {group}",
                user_pool=self.pool,
                group_name=group,
                description=f"Holders of the unscoped {group} role, mirrored from the {domain} database",
            )
            for group in spec.groups
        }

    @property
    def user_pool_id(self) -> str:
        """The pool's id (a token until deployment)."""
        return self.pool.user_pool_id

    @property
    def client_id(self) -> str:
        """The app client's id (a token until deployment)."""
        return self.client.user_pool_client_id

    @property
    def environment(self) -> Mapping[str, str]:
        """The pool, its client and its region, under the names the domain's settings read."""
        prefix = env_prefix(self.domain)
        return {
            f"{prefix}USER_POOL_ID": self.user_pool_id,
            f"{prefix}CLIENT_ID": self.client_id,
            f"{prefix}REGION": Aws.REGION,
        }

    @property
    def event_name(self) -> str:
        """A pool sends no events to subscribe to."""
        raise ValueError("a user pool sends no events to subscribe to")

    def grant(self, roles: Mapping[str, iam.IGrantable]) -> None:
        """Let each function make the admin calls the spec says it makes, on this pool alone."""
        for function, calls in self.spec.access().items():
            self.pool.grant(roles[function], *(f"cognito-idp:{call}" for call in calls))

"""The user pool kind: a `UserPoolSpec` as a Cognito user pool, in the CDK app (`infra/user_pool.py`)
and in moto (LocalStack's free edition has no Cognito: the local platform keeps Cognito on moto).

Locally the pool is `fip-<domain>` with the client `fip-api`, found again by name when moto's state
file kept them; moto serves the pool's signing keys at its own address, which `<DOMAIN>_JWKS_URL`
tells the functions. moto checks no codes and sends no email: any emailed or authenticator code is
accepted there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fip_core.resources import UserPoolSpec
from fip_core.settings import env_prefix
from infra.resources.kind import BuiltResource, CloudContext, LocalContext, Provisioned, construct_id

if TYPE_CHECKING:
    from constructs import Construct

CLIENT_NAME = "fip-api"
PAGE = 60  # the most pools or clients Cognito lists at once


class UserPoolKind:
    """Builds and provisions `UserPoolSpec`s."""

    spec_type = UserPoolSpec

    def build(self, scope: Construct, spec: UserPoolSpec, cloud: CloudContext) -> BuiltResource:
        """The pool, its client and groups; Cognito's mail through the platform's SES identity once verified."""
        from infra.user_pool import DomainUserPool  # the CDK only when building (see infra/resources/kind.py)

        email = cloud.mail.user_pool_email() if cloud.mail is not None else None
        pool = DomainUserPool(
            scope, construct_id(spec), domain=cloud.domain, environment=cloud.environment, spec=spec, email=email
        )
        if cloud.mail is not None:
            cloud.mail.let_send(pool, pool.pool)
        return pool

    def provision(self, spec: UserPoolSpec, local: LocalContext) -> Provisioned:
        """The pool, client and groups in moto, as the CDK app makes them (what moto emulates of them)."""
        cognito = local.client("cognito-idp")
        pool_name = f"fip-{local.domain}"
        pools = cognito.list_user_pools(MaxResults=PAGE)["UserPools"]
        pool_id = next((p["Id"] for p in pools if p["Name"] == pool_name), None) or _new_pool(cognito, pool_name, spec)
        clients = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=PAGE)["UserPoolClients"]
        client_id = next((c["ClientId"] for c in clients if c["ClientName"] == CLIENT_NAME), None)
        if client_id is None:
            client_id = cognito.create_user_pool_client(
                UserPoolId=pool_id,
                ClientName=CLIENT_NAME,
                GenerateSecret=False,
                ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                PreventUserExistenceErrors="ENABLED",
            )["UserPoolClient"]["ClientId"]
        prefix = env_prefix(local.domain)
        endpoint = local.endpoint("cognito-idp")
        return Provisioned(
            environment={
                f"{prefix}USER_POOL_ID": str(pool_id),
                f"{prefix}CLIENT_ID": str(client_id),
                f"{prefix}REGION": local.region,
                f"{prefix}JWKS_URL": f"{endpoint}/{pool_id}/.well-known/jwks.json",
            },
            description=f"user pool {pool_name} ({pool_id}), client {CLIENT_NAME} ({client_id})",
        )


def _new_pool(cognito: Any, name: str, spec: UserPoolSpec) -> str:
    pool_id = str(
        cognito.create_user_pool(
            PoolName=name,
            UsernameAttributes=["email"],
            AutoVerifiedAttributes=["email"],
            Policies={
                "PasswordPolicy": {
                    "MinimumLength": spec.password_min_length,
                    "RequireLowercase": True,
                    "RequireUppercase": True,
                    "RequireNumbers": True,
                    "RequireSymbols": False,
                }
            },
            MfaConfiguration="OPTIONAL",
        )["UserPool"]["Id"]
    )
    # as infra/user_pool.py: optional, by authenticator app (TOTP) only
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="OPTIONAL"
    )
    for group in spec.groups:
        cognito.create_group(UserPoolId=pool_id, GroupName=group, Description=f"Holders of the {group} role")
    return pool_id

"""The identity resources a domain declares, made in moto (or LocalStack) as the CDK app makes them
in AWS: the Cognito user pool (two-factor sign-in optional, with authenticator apps) with its app
client and one group per role, and the KMS key that encrypts users' external service tokens.
Answers the variables the domain's handlers read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fip_core.access import Role
from fip_core.declaration import DomainDeclaration, Resource
from fip_core.settings import env_prefix
from local_platform.aws import AwsEndpoints, aws_client
from local_platform.config import REGION
from users.settings import PASSWORD_MIN_LENGTH

POOL_NAME = "fip-users"
CLIENT_NAME = "fip-api"
KEY_ALIAS = "alias/fip-credentials"


def provision_identity(
    aws: AwsEndpoints, domains: tuple[DomainDeclaration, ...], key_tags: Sequence[dict[str, str]] = ()
) -> dict[str, str]:
    """Create (or find, in a kept or long-lived emulator) each declared resource; answer the
    environment. `key_tags` go on a new credentials key (LocalStack's tags that fix its id and material)."""
    environment: dict[str, str] = {}
    for domain in domains:
        prefix = env_prefix(domain.name)
        if Resource.USER_POOL in domain.resources:
            endpoint = aws.endpoint("cognito-idp")
            pool_id, client_id = _user_pool(aws_client("cognito-idp", endpoint))
            environment |= {
                f"{prefix}USER_POOL_ID": pool_id,
                f"{prefix}CLIENT_ID": client_id,
                f"{prefix}REGION": REGION,
                # moto serves the pool's signing keys at its own address, not at Cognito's
                f"{prefix}JWKS_URL": f"{endpoint}/{pool_id}/.well-known/jwks.json",
            }
        if Resource.CREDENTIALS_KEY in domain.resources:
            kms = aws_client("kms", aws.endpoint("kms"))
            environment[f"{prefix}CREDENTIALS_KEY_ID"] = _credentials_key(kms, key_tags)
    return environment


def _user_pool(cognito: Any) -> tuple[str, str]:
    pools = cognito.list_user_pools(MaxResults=60)["UserPools"]
    pool_id = next((p["Id"] for p in pools if p["Name"] == POOL_NAME), None)
    if pool_id is None:
        pool_id = cognito.create_user_pool(
            PoolName=POOL_NAME,
            UsernameAttributes=["email"],
            AutoVerifiedAttributes=["email"],
            Policies={
                "PasswordPolicy": {
                    "MinimumLength": PASSWORD_MIN_LENGTH,
                    "RequireLowercase": True,
                    "RequireUppercase": True,
                    "RequireNumbers": True,
                    "RequireSymbols": False,
                }
            },
            MfaConfiguration="OPTIONAL",
        )["UserPool"]["Id"]
        # as infra/user_pool.py: optional, by authenticator app (TOTP) only
        cognito.set_user_pool_mfa_config(
            UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="OPTIONAL"
        )
        for role in Role:
            cognito.create_group(
                UserPoolId=pool_id, GroupName=role.value, Description=f"Holders of the {role.value} role"
            )
    clients = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    client_id = next((c["ClientId"] for c in clients if c["ClientName"] == CLIENT_NAME), None)
    if client_id is None:
        client_id = cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=CLIENT_NAME,
            GenerateSecret=False,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            PreventUserExistenceErrors="ENABLED",
        )["UserPoolClient"]["ClientId"]
    return str(pool_id), str(client_id)


def _credentials_key(kms: Any, tags: Sequence[dict[str, str]]) -> str:
    aliases = kms.list_aliases()["Aliases"]
    if not any(alias["AliasName"] == KEY_ALIAS for alias in aliases):
        description = "Encrypts users' tokens for external imputation services"
        key_id = kms.create_key(Description=description, Tags=list(tags))["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=KEY_ALIAS, TargetKeyId=key_id)
    return KEY_ALIAS
